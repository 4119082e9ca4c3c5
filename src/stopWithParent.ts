/**
 * For processes that `npm start` launches in their own process groups (so a terminal's Ctrl-C reaches
 * only the launcher, which then stops everything in order): when the launcher is gone without stopping
 * them, as after a SIGKILL, they stop themselves instead of running on as orphans.
 */
const CHECK_EVERY_MS = 500;

/** Calls `stop` once the parent process has gone away (this process was handed to another parent). */
export function onParentExit(stop: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, CHECK_EVERY_MS);
  timer.unref();
}

/** When STOP_WITH_PARENT is set (npm start sets it), stops with the launcher. */
export function stopWithParent(stop: () => void): void {
  if (process.env.STOP_WITH_PARENT) onParentExit(stop);
}
