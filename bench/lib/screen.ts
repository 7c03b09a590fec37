// The PTY's output replayed into a headless terminal, so the bench waits for what a user would
// see on the screen (not for bytes that happen to contain a word).
import xterm from '@xterm/headless';
import type { PtyRun } from './pty.js';

export interface Screen {
  /** Resolves with the arrival time of the chunk after which `test(rows)` first held. */
  waitFor(test: (rows: string[]) => boolean, timeoutMs: number, what: string): Promise<number>;
  rows(): string[];
  dispose(): void;
}

export function replayScreen(run: PtyRun, cols: number, rows: number): Screen {
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 0 });
  const waiters: Array<{ test: (rows: string[]) => boolean; resolve: (t: number) => void }> = [];
  let fed = 0;
  let chain = Promise.resolve();
  const text = () => {
    const buf = term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
    return out;
  };
  const pump = () => {
    while (fed < run.chunks.length) {
      const chunk = run.chunks[fed++];
      chain = chain.then(
        () =>
          new Promise<void>((r) =>
            term.write(chunk.data, () => {
              if (waiters.length) {
                const screen = text();
                for (const w of [...waiters]) {
                  if (w.test(screen)) {
                    waiters.splice(waiters.indexOf(w), 1);
                    w.resolve(chunk.t);
                  }
                }
              }
              r();
            }),
          ),
      );
    }
  };
  const timer = setInterval(pump, 5);
  run.child.stdout!.on('data', () => setImmediate(pump));
  return {
    waitFor(test, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const w = {
          test,
          resolve: (t: number) => {
            clearTimeout(to);
            resolve(t);
          },
        };
        const to = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`${what}: not on screen after ${timeoutMs} ms; screen:\n${text().join('\n')}`));
        }, timeoutMs);
        // Checked against the screen as it is now, once everything received so far is parsed.
        void chain.then(() => {
          if (waiters.includes(w) && test(text())) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(run.chunks.length ? run.chunks[run.chunks.length - 1].t : performance.now());
          }
        });
        waiters.push(w);
      });
    },
    rows: text,
    dispose() {
      clearInterval(timer);
      term.dispose();
    },
  };
}
