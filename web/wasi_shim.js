// The WASI functions idbpq.wasm imports, for a page or Node: exactly the module's imports
// (`make wasm` fails when it needs one more; docs/internals/wasm.md). getMemory() returns the
// instance's exported memory, read afresh on each call since the memory may have grown.
const ENOSYS = 52;
const nosys = () => ENOSYS;

export function wasiImports(getMemory) {
  const text = new TextDecoder();
  let line = '';
  return {
    wasi_snapshot_preview1: {
      // Only stderr is written (wasi-libc's message before an abort): line-buffered to
      // console.error.
      fd_write(fd, iovs, n, nwritten) {
        const buf = getMemory().buffer;
        const v = new DataView(buf);
        let total = 0;
        for (let i = 0; i < n; i++) {
          const p = v.getUint32(iovs + 8 * i, true), len = v.getUint32(iovs + 8 * i + 4, true);
          line += text.decode(new Uint8Array(buf, p, len), { stream: true });
          total += len;
        }
        const lines = line.split('\n');
        line = lines.pop();
        for (const l of lines) (fd === 1 ? console.log : console.error)(l);
        v.setUint32(nwritten, total, true);
        return 0;
      },
      fd_close: nosys,
      fd_seek: nosys,
      // exit() (the sync layer's crash hook for tests) ends the call with an exception.
      proc_exit(code) { throw new Error(`idbpq: the module exited with status ${code}`); },
      // getenv() (the sync layer's test hooks) sees an empty environment.
      environ_sizes_get(count, size) {
        const v = new DataView(getMemory().buffer);
        v.setUint32(count, 0, true);
        v.setUint32(size, 0, true);
        return 0;
      },
      environ_get: () => 0,
      // The sync layer's timestamps (commitInfo, modificationTime): the realtime clock (id 0)
      // from Date.now(), the others from performance.now(); nanoseconds as a u64.
      clock_time_get(id, precision, out) {
        const ms = id === 0 ? Date.now() : performance.now();
        new DataView(getMemory().buffer).setBigUint64(out, BigInt(Math.round(ms * 1e6)), true);
        return 0;
      },
    },
  };
}
