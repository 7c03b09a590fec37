// `npm run package` makes dist/warroom-linux-x64, which runs with no node anywhere on PATH:
// --version, the drill in a real terminal, and snapshot against `warroom sim`, all from the one file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { tempDir, waitFor } from '../helpers/net.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const EXE = path.join(ROOT, 'dist', `warroom-${process.platform}-${process.arch}`);
const work = tempDir('warroom-sea-');
/** A PATH with every program of /usr/bin and /bin except node, npm and npx. */
const noNodeBin = path.join(work, 'bin');
let env: Record<string, string>;
const sessions: TmuxSession[] = [];
let sim: ChildProcess | null = null;

before(() => {
  execFileSync(process.execPath, ['scripts/package.mjs'], { cwd: ROOT, stdio: 'pipe' });
  fs.mkdirSync(noNodeBin);
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
    for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
      if (/^(node|nodejs|npm|npx|corepack)$/.test(name) || fs.existsSync(path.join(noNodeBin, name))) continue;
      fs.symlinkSync(path.join(dir, name), path.join(noNodeBin, name));
    }
  }
  env = { PATH: noNodeBin, HOME: work, XDG_STATE_HOME: path.join(work, 'state'), XDG_CONFIG_HOME: path.join(work, 'config'), LANG: 'C.UTF-8' };
});

after(() => {
  sessions.forEach((s) => s.kill());
  if (sim && sim.exitCode === null) sim.kill('SIGKILL');
});

test('the single executable is one file with Node inside, and no node is on its PATH', async () => {
  const st = fs.statSync(EXE);
  assert.ok(st.isFile() && (st.mode & 0o111) !== 0, 'executable');
  assert.throws(() => execFileSync('sh', ['-c', 'command -v node'], { env, stdio: 'pipe' }), 'node is not on the test PATH');
  const version = await run(EXE, ['--version'], { env, cwd: work });
  assert.match(version.stdout, /^warroom \d+\.\d+\.\d+\n$/);
  assert.equal(version.stdout, `warroom ${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version}\n`);
  // The built-in themes are inside: an unknown one lists them.
  const printed = await run(EXE, ['--print-config', '--theme', 'nope'], { env, cwd: work }).catch((e) => e);
  assert.match(printed.stdout + printed.stderr, /unknown theme "nope"; available themes: colorblind, dark, high-contrast, light/);
});

test('the single executable runs the drill in a real terminal and quits cleanly', async () => {
  const t = startTmux('drill --scenario bad-deploy --speed 10 --theme light', { cols: 120, rows: 36, program: EXE, env: { ...env, TERM: 'xterm-256color' } });
  sessions.push(t);
  const screen = await t.waitForText(/Deployments[\s\S]*api[\s\S]*q quit/, 30_000);
  assert.match(screen.split('\n')[0], /warroom.*DRILL bad-deploy/);
  assert.doesNotMatch(screen, /theme/i, 'the light theme loaded from the executable, without a warning');
  t.keys('q');
  await t.waitForText(/EXITED 0/);
  assert.equal(t.format('#{alternate_on}'), '0');
});

test('the single executable serves `sim` and reports it with `snapshot`', async () => {
  const dir = path.join(work, 'gameday');
  let out = '';
  sim = spawn(EXE, ['sim', '--scenario', 'bad-deploy', '--speed', '20', '--seed', '5', '--write-config', dir], { cwd: work, env });
  sim.stdout!.on('data', (d) => (out += d));
  sim.stderr!.on('data', (d) => (out += d));
  await waitFor(() => out.includes('Ctrl-C stops'), { what: 'sim ready', timeoutMs: 30_000 }).catch(() => assert.fail(out));
  const password = /WARROOM_DRILL_PG_PASSWORD='([^']*)'/.exec(fs.readFileSync(path.join(dir, 'drill.env'), 'utf8'))?.[1] ?? '';
  const text = await run(EXE, ['snapshot', '--config', path.join(dir, 'warroom.yaml')], { cwd: work, env: { ...env, WARROOM_DRILL_PG_PASSWORD: password }, timeout: 30_000 });
  assert.match(text.stdout, /^warroom snapshot .* UTC — context warroom-drill, namespaces shop/m);
  assert.match(text.stdout, /Unhealthy pods \(\d+ of \d+\)/);
  assert.match(text.stdout, /Error rate & latency:\n  api\s+5xx \d/);
  sim.kill('SIGINT');
  await waitFor(() => sim!.exitCode !== null, { what: 'sim exits on Ctrl-C', timeoutMs: 15_000 });
  assert.equal(sim.exitCode, 0);
});
