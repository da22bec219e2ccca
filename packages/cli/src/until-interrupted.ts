/**
 * Resolves on the first SIGINT or SIGTERM, then removes both listeners: how a long-running command (`serve`,
 * `snowflake local`) waits before it closes its servers, so Ctrl-C and a service manager's stop both shut it down cleanly.
 */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
