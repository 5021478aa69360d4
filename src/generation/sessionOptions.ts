/**
 * The ONNX Runtime session options Inkwell creates its sessions with, as a
 * plain object (src/generation does not load the native addon; the runtime
 * process and the CLI pass this to `InferenceSession.create`).
 */
export function inkwellSessionOptions(threads: number) {
  return {
    intraOpNumThreads: Math.max(1, Math.floor(threads)),
    // One model step at a time: operators run in order, parallel inside each.
    interOpNumThreads: 1,
    executionMode: 'sequential' as const,
    graphOptimizationLevel: 'all' as const,
    extra: {
      // Worker threads sleep between operators instead of spinning. Spinning wins
      // a little on an idle machine but burns cores the editor needs, and loses
      // badly when the machine is busy (measured: 2 spinning threads on 2 busy
      // cores decoded slower than 2 sleeping ones).
      session: { intra_op: { allow_spinning: '0' } },
    },
  };
}
