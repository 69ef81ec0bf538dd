// Checks the wasm module against web/wasi_shim.js: every import must be a function the shim
// provides (the build fails otherwise), and the module must export its memory and
// _initialize. Then instantiates it in Node with the shim, as a page would.
// Usage: node tools/wasm_imports.mjs web/idbpq.wasm web/wasi_shim.js
//        node tools/wasm_imports.mjs web/idbpq_sync.wasm web/wasi_shim.js web/sync.js
// With a glue module (web/sync.js), the module's "ipq" imports must be exactly the names its
// SYNC_IMPORTS lists (sync.js provides them, most as JSPI suspending functions); Node
// instantiates the module with stand-ins that throw, since nothing here calls them.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [wasmPath, shimPath, gluePath] = process.argv.slice(2);
const mod = new WebAssembly.Module(readFileSync(wasmPath));
const { wasiImports } = await import(pathToFileURL(resolve(shimPath)).href);
let instance;
const imports = wasiImports(() => instance.exports.memory);
if (gluePath) {
  const { SYNC_IMPORTS } = await import(pathToFileURL(resolve(gluePath)).href);
  imports.ipq = Object.fromEntries(SYNC_IMPORTS.map((n) => [n, () => { throw new Error(`ipq.${n} called in the import check`); }]));
}

const problems = [];
const used = new Set();
for (const { module, name, kind } of WebAssembly.Module.imports(mod)) {
  if (kind === 'function' && typeof imports[module]?.[name] === 'function') used.add(`${module}.${name}`);
  else problems.push(`imports ${kind} ${module}.${name}, which ${shimPath} does not provide`);
}
const exports = new Map(WebAssembly.Module.exports(mod).map((e) => [e.name, e.kind]));
if (exports.get('memory') !== 'memory') problems.push('does not export its memory as "memory"');
if (exports.get('_initialize') !== 'function') problems.push('does not export _initialize (reactor)');
for (const [module, fns] of Object.entries(imports))
  for (const name of Object.keys(fns))
    if (!used.has(`${module}.${name}`))
      console.warn(`wasm: note: ${module === 'ipq' ? gluePath : shimPath} provides ${module}.${name}, which the module no longer imports`);
if (problems.length) {
  for (const p of problems) console.error(`wasm: ${wasmPath} ${p}`);
  process.exit(1);
}
instance = new WebAssembly.Instance(mod, imports);
instance.exports._initialize();
console.log(`wasm: imports ${[...used].join(' ') || '(none)'}; ${exports.size - 2} functions exported; instantiates in Node ${process.version}`);
