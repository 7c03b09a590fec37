// One process delivers status updates per state directory. The lock is a file created with
// O_EXCL holding {pid, host, token, at}; its holder touches it every few seconds.
//   const lock = new DeliveryLock(file)
//   lock.tryAcquire() → {ok: true} | {ok: false, holder}     holder: {pid, host, since}
//   lock.holds()      → still ours? (re-read from disk: checked right before every send)
//   lock.heartbeat() / lock.release()
// Stale rule: the holder is on this host and its pid is gone, or its heartbeat is older than
// STALE_MS (another host, or a frozen process). Taking over a stale lock removes it only while it
// still names the stale holder, then creates it anew with O_EXCL, so two takers cannot both win
// the create; a holder that finds the file no longer names it stops delivering.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../util/private-files.js';

export const STALE_MS = 30_000;

export interface LockHolder {
  pid: number;
  host: string;
  since: number;
}

interface LockFile extends LockHolder {
  token: string;
}

export class DeliveryLock {
  private readonly token = randomUUID();
  private readonly host = os.hostname();
  private held = false;

  constructor(
    private readonly file: string,
    private readonly now: () => number = Date.now,
  ) {}

  tryAcquire(): { ok: true } | { ok: false; holder: LockHolder } {
    for (let tries = 0; tries < 3; tries++) {
      if (this.create()) return { ok: true };
      const current = this.read();
      if (!current) continue; // vanished or unreadable between the two calls: try again
      if (current.token === this.token) return { ok: true };
      if (!this.isStale(current)) return { ok: false, holder: { pid: current.pid, host: current.host, since: current.since } };
      // Remove the stale lock only if it is still the one we judged stale.
      const again = this.read();
      if (again?.token === current.token) {
        try {
          fs.unlinkSync(this.file);
        } catch {
          // Someone else removed it first; the create below decides.
        }
      }
    }
    const h = this.read();
    return { ok: false, holder: h ? { pid: h.pid, host: h.host, since: h.since } : { pid: 0, host: this.host, since: this.now() } };
  }

  holds(): boolean {
    if (!this.held) return false;
    const current = this.read();
    this.held = current?.token === this.token;
    return this.held;
  }

  heartbeat(): void {
    if (!this.held) return;
    const t = new Date(this.now());
    try {
      fs.utimesSync(this.file, t, t);
    } catch {
      this.held = false;
    }
  }

  release(): void {
    if (this.holds()) {
      try {
        fs.unlinkSync(this.file);
      } catch {
        // Already gone.
      }
    }
    this.held = false;
  }

  private create(): boolean {
    ensurePrivateDir(path.dirname(this.file));
    const body: LockFile = { pid: process.pid, host: this.host, token: this.token, since: this.now() };
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'wx', PRIVATE_FILE_MODE);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    try {
      fs.writeSync(fd, JSON.stringify(body) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.held = true;
    return true;
  }

  private read(): (LockFile & { mtimeMs: number }) | null {
    try {
      const text = fs.readFileSync(this.file, 'utf8');
      const mtimeMs = fs.statSync(this.file).mtimeMs;
      const v = JSON.parse(text) as Partial<LockFile>;
      if (typeof v.token !== 'string' || typeof v.pid !== 'number') return { pid: 0, host: '?', token: `corrupt:${text.length}:${mtimeMs}`, since: mtimeMs, mtimeMs };
      return { pid: v.pid, host: String(v.host ?? '?'), token: v.token, since: Number(v.since) || mtimeMs, mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      // Half-written by a holder that died mid-create: judged by its age.
      let mtimeMs = 0;
      try {
        mtimeMs = fs.statSync(this.file).mtimeMs;
      } catch {
        return null;
      }
      return { pid: 0, host: '?', token: `corrupt:${mtimeMs}`, since: mtimeMs, mtimeMs };
    }
  }

  private isStale(l: LockFile & { mtimeMs: number }): boolean {
    if (this.now() - l.mtimeMs > STALE_MS) return true;
    if (l.host !== this.host || l.pid <= 0) return l.pid <= 0 && this.now() - l.mtimeMs > 2_000;
    if (l.pid === process.pid) return false; // another outbox of this process: it is alive
    try {
      process.kill(l.pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}
