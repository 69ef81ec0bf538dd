// wasm-memory.js — classic script, loaded first by page.html and by duckdb-worker.js. Records
// every WebAssembly.Memory that a module in this realm exports or that JavaScript creates, so
// the benchmark can report the wasm memory of the peers that do not expose it (a wasm memory
// only grows: its size at the end is its peak). It wraps WebAssembly.instantiate,
// instantiateStreaming, Instance and Memory; the wrapped calls do what the originals do.
'use strict';
(function () {
  const W = self.WebAssembly;
  const mems = [];
  const note = (v) => { if (v instanceof W.Memory && !mems.includes(v)) mems.push(v); };
  // Only the exports (a frozen plain object) are looked at: import objects can be proxies with
  // side effects (Emscripten's dynamic linking), so memories made in JavaScript are caught at
  // their constructor instead.
  const scanExports = (i) => { if (i && i.exports) for (const v of Object.values(i.exports)) note(v); };
  const wrap = (f) => function (...args) {
    return f.apply(W, args).then((r) => { scanExports(r instanceof W.Instance ? r : r.instance); return r; });
  };
  W.instantiate = wrap(W.instantiate);
  if (W.instantiateStreaming) W.instantiateStreaming = wrap(W.instantiateStreaming);
  const Memory = W.Memory;
  W.Memory = new Proxy(Memory, { construct(target, args, newTarget) { const m = Reflect.construct(target, args, newTarget); note(m); return m; } });
  const Instance = W.Instance;
  W.Instance = new Proxy(Instance, { construct(target, args, newTarget) { const i = Reflect.construct(target, args, newTarget); scanExports(i); return i; } });
  // Bytes of every wasm memory seen in this realm.
  self.benchWasmBytes = () => mems.reduce((s, m) => s + m.buffer.byteLength, 0);
})();
