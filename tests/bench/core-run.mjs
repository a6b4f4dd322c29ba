// One analysis by tests/bench/wasm-core inside a bench script's worker, as
// source text the scripts put into their workers' code: `timedRun(core,
// bytes, piece)` pushes `bytes` in `piece`-sized chunks (4 MiB, as
// examples/analysis_time.rs feeds the native core) into a fresh reader and
// analyzer and returns { seconds, resets }, timing only the pushes and the
// finish.
export const TIMED_RUN = `
function timedRun(core, bytes, piece = 4 << 20) {
  const at = core.start(4 << 20);
  let ms = 0;
  for (let offset = 0; offset < bytes.length; offset += piece) {
    const chunk = bytes.subarray(offset, offset + piece);
    new Uint8Array(core.memory.buffer, at, chunk.length).set(chunk);
    const started = performance.now();
    core.push(chunk.length);
    ms += performance.now() - started;
  }
  const started = performance.now();
  const resets = core.finish();
  ms += performance.now() - started;
  return { seconds: ms / 1000, resets };
}`;
