/** On SIGTERM or SIGINT: run `close` once (bounded), then exit 0, or 1 if it failed. */
export function exitOnSignals(close: () => Promise<void>, timeoutMs = 20_000): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    const timer = setTimeout(() => {
      console.error(`still stopping after ${timeoutMs} ms (${signal}); exiting`);
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (err: Error) => {
        console.error(`stopping failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
