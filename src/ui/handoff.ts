// Gives the terminal to a child process and takes it back: Ink lets go of the input (raw mode off),
// the screen leaves the alternate buffer with the cursor shown, the child runs with the terminal
// as its stdin and stdout, and the whole screen is repainted after. Ctrl-C while the child runs is
// the child's (a port-forward stops on it), not the cockpit's quit.
import { spawn } from 'node:child_process';
import type { Handoff } from '../actions/types.js';
import { findKubectl, type KubectlConnection } from '../sources/kube/kubectl.js';

export type Suspend = <T>(fn: () => Promise<T>) => Promise<T>;

const STDERR_TAIL = 4096;
const TERMINAL_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGQUIT'];
const STOP_EVENTS = ['SIGTERM', 'SIGHUP', 'exit'] as const;

export function createHandoff(o: { suspend: Suspend; connection: () => KubectlConnection; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream }): Handoff {
  const stdout = o.stdout ?? process.stdout;
  const stderr = o.stderr ?? process.stderr;
  return {
    kubectl: () => findKubectl(),
    connection: o.connection,
    run: (file, args, banner) =>
      o.suspend(async () => {
        stdout.write(`\r\n${banner.join('\r\n')}\r\n`);
        const saved = TERMINAL_SIGNALS.map((sig) => [sig, process.rawListeners(sig) as (() => void)[]] as const);
        const ignore = () => {};
        for (const [sig, listeners] of saved) {
          for (const l of listeners) process.off(sig, l);
          process.on(sig, ignore);
        }
        const input = stopReading(process.stdin);
        try {
          return await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
            let tail = '';
            // stderr through us: kubectl's errors stay on the terminal and their tail goes to the journal.
            const child = spawn(file, args, { stdio: ['inherit', 'inherit', 'pipe'] });
            // warroom stopped from outside (SIGTERM, SIGHUP) while kubectl holds the terminal: kubectl
            // goes first, so the cockpit gets the terminal back and its own stop can finish.
            const stop = () => child.kill('SIGTERM');
            for (const ev of STOP_EVENTS) process.once(ev, stop);
            child.once('close', () => {
              for (const ev of STOP_EVENTS) process.off(ev, stop);
            });
            child.stderr.on('data', (d: Buffer) => {
              stderr.write(d);
              tail = (tail + d.toString('utf8')).slice(-STDERR_TAIL);
            });
            child.once('error', (e) => reject(new Error(`cannot run ${file}: ${e.message}`)));
            child.once('close', (code, signal) => resolve({ code, signal, stderr: tail }));
          });
        } finally {
          input.restart();
          for (const [sig, listeners] of saved) {
            process.off(sig, ignore);
            for (const l of listeners) process.on(sig, l);
          }
        }
      }),
  };
}

type TtyHandle = { reading?: boolean; readStop?: () => number; readStart?: () => number };

/**
 * Ink's pause only removes its listener; Node's TTY handle goes on reading, so the cockpit would
 * take (and lose) the first line typed to the child. The handle stops until the child is done.
 */
function stopReading(stdin: NodeJS.ReadStream): { restart(): void } {
  const handle = (stdin as unknown as { _handle?: TtyHandle })._handle;
  if (!handle?.reading || !handle.readStop || !handle.readStart) return { restart: () => {} };
  handle.readStop();
  handle.reading = false;
  return {
    restart: () => {
      if (handle.reading) return;
      handle.reading = true;
      handle.readStart?.();
    },
  };
}
