// Where warroom's own files (package.json, themes/) are, and whether it runs as the single
// executable, where they are SEA assets instead. The same code runs from src/ (tsx), dist/ (tsc)
// and the one-file bundle, so the root is found by walking up, not by a fixed depth.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as seaModule from 'node:sea';

/** Set by the bundler (scripts/bundle.mjs); undefined when running the compiled or TypeScript sources. */
declare const WARROOM_VERSION: string | undefined;

function findRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'warroom') return dir;
    } catch {
      // not here; keep walking up
    }
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** node:sea when running as the single executable, else null. */
export function seaApi(): typeof seaModule | null {
  return seaModule.isSea() ? seaModule : null;
}

let root: string | null | undefined;
export function packageRoot(): string | null {
  if (root === undefined) root = seaApi() ? null : findRoot();
  return root;
}

export function packageVersion(): string {
  if (typeof WARROOM_VERSION === 'string') return WARROOM_VERSION;
  const dir = packageRoot();
  if (!dir) return 'unknown';
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}
