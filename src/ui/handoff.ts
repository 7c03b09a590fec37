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
        try {
          return await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
            let tail = '';
            // stderr through us: kubectl's errors stay on the terminal and their tail goes to the journal.
            const child = spawn(file, args, { stdio: ['inherit', 'inherit', 'pipe'] });
            child.stderr.on('data', (d: Buffer) => {
              stderr.write(d);
              tail = (tail + d.toString('utf8')).slice(-STDERR_TAIL);
            });
            child.once('error', (e) => reject(new Error(`cannot run ${file}: ${e.message}`)));
            child.once('close', (code, signal) => resolve({ code, signal, stderr: tail }));
          });
        } finally {
          for (const [sig, listeners] of saved) {
            process.off(sig, ignore);
            for (const l of listeners) process.on(sig, l);
          }
        }
      }),
  };
}
