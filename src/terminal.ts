// Restores the terminal on every exit path: q and Ctrl-C (through the keymap), SIGTERM,
// SIGHUP, SIGINT sent from outside, and an uncaught error. The journal is already on disk.
import type { RunningCockpit } from './runtime.js';

const LEAVE_ALT_SCREEN = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';
const RESET_ATTRS = '\x1b[0m';

export function installExitHandlers(running: RunningCockpit): void {
  const signals: [NodeJS.Signals, number][] = [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ];
  for (const [sig, code] of signals) process.once(sig, () => void running.stop(code));

  // The terminal went away (an SSH or tmux hang-up): writes fail with EIO or EPIPE. That is a
  // hang-up, not a crash: stop quietly, as on SIGHUP (the journal is on disk).
  let hungUp = false;
  const hangUp = () => {
    if (hungUp) return;
    hungUp = true;
    void running.stop(129).finally(() => process.exit(129));
    setTimeout(() => process.exit(129), 2000).unref();
  };
  process.stdout.on('error', (e) => (terminalGone(e) ? hangUp() : crash(e)));

  const crash = (e: unknown) => {
    if (terminalGone(e)) return hangUp();
    void running.stop(1).finally(() => {
      process.stdout.write(RESET_ATTRS + SHOW_CURSOR + LEAVE_ALT_SCREEN);
      process.stderr.write(`warroom crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    });
    // If stopping hangs, still give the terminal back.
    setTimeout(() => {
      process.stdout.write(RESET_ATTRS + SHOW_CURSOR + LEAVE_ALT_SCREEN);
      process.exit(1);
    }, 2000).unref();
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);
  // Every exit, however it comes, ends with a visible cursor.
  process.once('exit', () => {
    if (process.stdout.isTTY) process.stdout.write(SHOW_CURSOR);
  });
}

function terminalGone(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'EIO' || code === 'EPIPE' || code === 'ENXIO';
}
