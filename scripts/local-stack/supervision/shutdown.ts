// Stopping a local stack (`npm start`, `npm run start:deno`) the same way every time: once
// (npm and tsx relay Ctrl-C too, so one keypress arrives several times), every step even if
// one fails, with an escape hatch if something hangs, and an exit code that says whether it
// stopped cleanly.

export type StopStep = (name: string, stop: () => Promise<void> | undefined) => Promise<void>;

export function handleShutdown(
  tag: string,
  log: (message: string) => void,
  stopAll: (step: StopStep) => Promise<void>,
) {
  let shuttingDown = false;
  const shutdown = async (reason: string, code: number): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${reason}; stopping`);
    setTimeout(() => process.exit(code || 1), 15_000).unref();
    const step: StopStep = async (name, stop) => {
      try {
        await stop();
      } catch (err) {
        console.error(`[${tag}] stopping ${name} failed:`, err);
        code ||= 1;
      }
    };
    await stopAll(step);
    process.exit(code);
  };
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.on(signal, () => void shutdown(signal, code));
  }
  return { shutdown, isShuttingDown: () => shuttingDown };
}
