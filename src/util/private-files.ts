// Incident data (journals, the outbox, the log, post-mortems) is readable by its owner only:
// folders 0700, files 0600, whatever the umask. A mode given to mkdir/open only ever loses bits
// to the umask, so creating with these modes is enough for new files; existing ones are
// tightened by lockDown().
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Opens for appending (creating owner-only); an existing file with looser bits is tightened. */
export function openPrivateAppend(file: string): number {
  ensurePrivateDir(path.dirname(file));
  const fd = fs.openSync(file, 'a+', PRIVATE_FILE_MODE);
  const mode = fs.fstatSync(fd).mode & 0o777;
  if (mode & 0o077) fs.fchmodSync(fd, mode & 0o700);
  return fd;
}

export function appendPrivate(file: string, text: string): void {
  const fd = openPrivateAppend(file);
  try {
    fs.writeSync(fd, text);
  } finally {
    fs.closeSync(fd);
  }
}

export function writePrivate(file: string, text: string): void {
  ensurePrivateDir(path.dirname(file));
  fs.writeFileSync(file, text, { mode: PRIVATE_FILE_MODE });
  fs.chmodSync(file, PRIVATE_FILE_MODE);
}

/** Tightens a folder and everything below it (older versions wrote 0644 files in 0755 folders). */
export function lockDown(dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  if (st.mode & 0o077) fs.chmodSync(dir, PRIVATE_DIR_MODE);
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    const s = fs.lstatSync(p);
    if (s.isDirectory()) lockDown(p);
    else if (s.isFile() && s.mode & 0o077) fs.chmodSync(p, PRIVATE_FILE_MODE);
  }
}
