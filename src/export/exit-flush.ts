// flushOnExit: export what is pending when the process ends, without changing how it ends.
//
// - Natural exit (the event loop empties): `beforeExit`, then the final export, then the process exits.
// - SIGTERM / SIGINT: Node's default is to die at once, so a listener is added; when the signal
//   comes and no other listener exists (the host has no handler of its own), the final export runs
//   (bounded by the exit timeout), the listener is removed and the same signal is raised again,
//   so the process ends exactly as it would have: killed by that signal. A second signal during
//   the export ends it at once. When the host has its own handler, the host owns the exit: nothing
//   is done here, call `shutdown()` in that handler.
// - `process.exit()`: only the synchronous 'exit' event follows, which cannot do network I/O; data
//   since the last export is lost unless the host awaits `shutdown()` before calling it.
export const EXIT_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Installs the hooks; returns their removal (called by shutdown). */
export function installExitFlush(shutdown: () => Promise<void>): () => void {
  const onBeforeExit = () => void shutdown();
  const handlers = EXIT_SIGNALS.map((signal) => {
    const handler = () => {
      if (process.listeners(signal).some((l) => l !== handler)) return; // the host decides
      remove();
      void shutdown().finally(() => process.kill(process.pid, signal));
    };
    return [signal, handler] as const;
  });
  const remove = () => {
    process.off('beforeExit', onBeforeExit);
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
  process.once('beforeExit', onBeforeExit);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return remove;
}
