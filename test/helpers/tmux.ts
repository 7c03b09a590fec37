// Runs the built CLI in a real terminal (tmux, on a private server socket) for end-to-end tests.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { tempDir, waitFor } from './net.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface TmuxSession {
  /** alternate: the screen not shown (the normal one while a program uses the alternate screen). */
  capture(opts?: { escapes?: boolean; alternate?: boolean }): string;
  keys(...keys: string[]): void;
  resize(cols: number, rows: number): void;
  /** tmux format value for the pane, e.g. '#{alternate_on}', '#{cursor_flag}', '#{pane_pid}'. */
  format(f: string): string;
  waitForText(re: RegExp, timeoutMs?: number): Promise<string>;
  /** The pid of warroom itself: the pane's shell runs it as its child. */
  cockpitPid(): number;
  kill(): void;
  stateDir: string;
}

export function startTmux(
  args: string,
  opts: {
    cols: number;
    rows: number;
    env?: Record<string, string>;
    /** A program to run warroom under, e.g. GNU screen. */ via?: string;
    /** The warroom command; default: this node running dist/cli.js. */ program?: string;
  },
): TmuxSession {
  const socket = `warroom-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const stateDir = tempDir('warroom-e2e-state-');
  const tmux = (...a: string[]) => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8' });
  const env = { XDG_STATE_HOME: stateDir, XDG_CONFIG_HOME: stateDir, TERM: 'xterm-256color', ...opts.env };
  const envPrefix = Object.entries(env)
    .map(([k, v]) => `${k}='${v}'`)
    .join(' ');
  // The shell stays after warroom exits so the test can read the restored screen and exit code.
  const cmd = `cd '${ROOT}' && env ${envPrefix} ${opts.via ? `${opts.via} ` : ''}${opts.program ?? `${process.execPath} dist/cli.js`} ${args}; echo "EXITED $?"; sleep 120`;
  tmux('new-session', '-d', '-s', 'w', '-x', String(opts.cols), '-y', String(opts.rows), cmd);
  tmux('set-option', '-t', 'w', 'status', 'off');
  const session: TmuxSession = {
    stateDir,
    capture: (o = {}) => tmux('capture-pane', '-p', ...(o.escapes ? ['-e'] : []), ...(o.alternate ? ['-a'] : []), '-t', 'w'),
    keys: (...keys) => void tmux('send-keys', '-t', 'w', ...keys),
    resize: (cols, rows) => void tmux('resize-window', '-t', 'w', '-x', String(cols), '-y', String(rows)),
    format: (f) => tmux('display-message', '-p', '-t', 'w', f).trim(),
    waitForText: (re, timeoutMs = 20_000) =>
      waitFor(() => (re.test(session.capture()) ? session.capture() : null), { timeoutMs, intervalMs: 100, what: `screen to show ${re}` }).catch((e) => {
        throw new Error(`${(e as Error).message}\n--- screen ---\n${session.capture()}`);
      }),
    cockpitPid: () =>
      Number(
        execFileSync('pgrep', ['-P', session.format('#{pane_pid}'), '-f', 'dist/cli.js'], { encoding: 'utf8' })
          .trim()
          .split('\n')[0],
      ),
    kill: () => {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
  return session;
}
