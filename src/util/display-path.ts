import os from 'node:os';
import path from 'node:path';

/** A path as short as it can be shown unambiguously: relative below the current directory, `~/…` below the home directory. */
export function displayPath(file: string, home = process.env.HOME || os.homedir()): string {
  const rel = path.relative(process.cwd(), file);
  if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel;
  const inHome = home ? path.relative(home, file) : '';
  if (inHome && !inHome.startsWith('..') && !path.isAbsolute(inHome)) return `~/${inHome}`;
  return file;
}
