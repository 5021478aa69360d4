/**
 * The ONNX Runtime session options Inkwell creates its sessions with, as a
 * plain object (src/generation does not load the native addon; the runtime
 * process and the CLI pass this to `InferenceSession.create`).
 */
export function inkwellSessionOptions(threads: number) {
  disableOrtTelemetry();
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

/**
 * Turns off onnxruntime-node's telemetry for this process. Since 1.29 the Linux
 * and macOS builds start a telemetry uploader with the first session: it may
 * send events over the network, keeps a device id and an event cache under
 * ~/.cache/Microsoft, and leaves an empty /tmp/mat-debug-<pid>.log behind.
 * ONNX Runtime reads the variable when it creates its environment (with the
 * first session), so setting it before that is enough. Inkwell promises no
 * network calls; a user who sets the variable themselves keeps their value.
 */
export function disableOrtTelemetry(): void {
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
}
