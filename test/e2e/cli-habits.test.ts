// kubectl habits of the built `warroom` command: flags before or after the command, -l and
// --request-timeout, numbers and ports checked as usage errors, every config mistake in one run,
// the unknown-theme warning, and shell completion that real bash, zsh and fish load and answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import { tempDir } from '../helpers/net.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'warroom.cjs');
const dir = tempDir('warroom-cli-');
const env = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_STATE_HOME: path.join(dir, 'state'), NO_COLOR: '1' };

function warroom(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function usageError(args: string[], re: RegExp) {
  const r = warroom(...args);
  assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, re, args.join(' '));
  assert.doesNotMatch(r.stderr, /\n\s+at |node:internal|RangeError/, 'no stack trace');
  return r;
}

const cfg = path.join(dir, 'dead.yaml');
fs.writeFileSync(cfg, 'kube:\n  enabled: false\nprometheus:\n  url: http://127.0.0.1:9\n  timeoutSeconds: 1\n');

test('global flags go before or after the command, as with kubectl', () => {
  // --config and --deadline reach snapshot wherever they are: it reports the dead Prometheus and exits 1.
  for (const args of [
    ['--config', cfg, 'snapshot', '--deadline', '2'],
    ['snapshot', '--config', cfg, '--deadline', '2'],
    ['--config', cfg, '--refresh', '1', 'snapshot', '--deadline', '2', '--json'],
  ]) {
    const r = warroom(...args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /prometheus.*down/, args.join(' '));
  }
  const list = warroom('--refresh', '1', '-n', 'shop', 'drill', '--list');
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^bad-deploy\n/);
  const printed = warroom('-n', 'shop', '--print-config', '--context', 'prod-eu', '-A');
  assert.equal(printed.code, 0, printed.stderr);
  assert.match(printed.stdout, /context: prod-eu/);
  assert.match(printed.stdout, /namespaces:\n\s+- shop/);
  assert.match(printed.stdout, /allNamespaces: true/);
  // A command's own flag elsewhere is named as such.
  usageError(['--deadline', '3'], /--deadline is not a flag of the cockpit; it belongs to: warroom snapshot/);
  usageError(['snapshot', '--scenario', 'x'], /--scenario is not a flag of warroom snapshot; it belongs to: warroom drill, warroom sim/);
  usageError(['--config', cfg, 'snapshto'], /unknown command "snapshto"; expected one of: drill, sim, snapshot/);
  usageError(['snapshot', 'extra'], /unexpected argument "extra" for snapshot/);
});

test('-l/--selector and --request-timeout set the label selector and the API timeout', () => {
  let r = warroom('--print-config', '-l', 'app=api,tier!=cache', '--request-timeout', '1m30s');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /labelSelector: app=api,tier!=cache/);
  assert.match(r.stdout, /requestTimeoutSeconds: 90/);
  r = warroom('--selector=app=web', '--request-timeout=750ms', '--print-config');
  assert.match(r.stdout, /labelSelector: app=web/);
  assert.match(r.stdout, /requestTimeoutSeconds: 0\.75/);
  assert.match(warroom('--request-timeout', '20', '--print-config').stdout, /requestTimeoutSeconds: 20/);
  usageError(['--request-timeout', '5x', '--print-config'], /--request-timeout expects a duration such as 30s, 2m or 500ms \(or seconds\), got "5x"/);
  usageError(['--request-timeout', '0', '--print-config'], /0 \(no timeout\) is not supported/);
  usageError(['--request-timeout', '10m', '--print-config'], /--request-timeout: kube\.requestTimeoutSeconds: expected a number above 0 and at most 300 seconds, got 600/);
});

test('numbers and ports are usage errors (exit 2) with the range, never a raw Node error', () => {
  usageError(['sim', '--port', '99999'], /--port expects a TCP port from 0 to 65535, got "99999"/);
  usageError(['sim', '--port', '80.5'], /--port expects a TCP port from 0 to 65535, got "80\.5"/);
  usageError(['sim', '--port=-1'], /--port expects a TCP port from 0 to 65535, got "-1"/);
  usageError(['--refresh', '0x10', '--print-config'], /--refresh expects a number, got "0x10"/);
  usageError(['--refresh', '1e9', '--print-config'], /--refresh: ui\.refreshSeconds: expected a number from 0\.2 to 3600 seconds, got 1000000000/);
  usageError(['--refresh', 'Infinity', '--print-config'], /--refresh expects a number, got "Infinity"/);
  usageError(['--refresh', '0', '--print-config'], /--refresh: ui\.refreshSeconds: expected a number from 0\.2 to 3600 seconds, got 0/);
  usageError(['--max-fps', '2.5', '--print-config'], /--max-fps: ui\.maxFps: expected an integer from 1 to 60 frames a second, got 2\.5/);
  usageError(['drill', '--speed', 'fast'], /--speed expects a number from 0\.1 to 1000, got "fast"/);
  usageError(['drill', '--speed', '-1'], /--speed expects a number from 0\.1 to 1000, got "-1"/);
  usageError(['drill', '--seed', '0x1f'], /--seed expects an integer, got "0x1f"/);
  usageError(['snapshot', '--deadline', '0.1'], /--deadline expects a number from 0\.5 to 600, got "0\.1"/);
  usageError(['--config'], /--config <value>' argument missing/);
});

test('every mistake in a config file is reported in one run, in line order, up to 20', () => {
  const file = path.join(dir, 'three.yaml');
  fs.writeFileSync(
    file,
    'ui:\n  refreshSeconds: soon\n  maxFps: 500\nkube:\n  namespaces: shop\nredis:\n  - name: cache\n    url: redis://:${NOT_SET_ANYWHERE}@h:6379\nbogus: 1\n',
  );
  const r = usageError(['--config', file, '--print-config'], /5 config problems:/);
  const lines = r.stderr
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim());
  assert.deepEqual(
    lines.map((l) => l.replace(`${file}:`, 'F:').replace(/: .*$/, '')),
    ['F:2', 'F:3', 'F:5', 'F:8', 'F:9'],
    r.stderr,
  );
  assert.match(r.stderr, /F?three\.yaml:2: ui\.refreshSeconds: expected number, got "soon"/);
  assert.match(r.stderr, /three\.yaml:3: ui\.maxFps: expected an integer from 1 to 60 frames a second, got 500/);
  assert.match(r.stderr, /three\.yaml:5: kube\.namespaces: expected array/);
  assert.match(r.stderr, /three\.yaml:8: redis\[0\]\.url: environment variable NOT_SET_ANYWHERE is not set/);
  assert.match(r.stderr, /three\.yaml:9: \(top level\): unknown setting "bogus"/);

  const many = path.join(dir, 'many.yaml');
  fs.writeFileSync(many, 'postgres:\n' + Array.from({ length: 25 }, (_, i) => `  - name: db${i}\n    url: mysql://x/${i}\n`).join(''));
  const m = usageError(['--config', many, '--print-config'], /25 config problems:/);
  assert.equal((m.stderr.match(/expected a postgres:\/\/ or postgresql:\/\/ URL/g) ?? []).length, 20);
  assert.match(m.stderr, /… and 5 more/);
  // One mistake reads as before: a single line.
  const one = path.join(dir, 'one.yaml');
  fs.writeFileSync(one, 'ui:\n  theme: 7\n');
  assert.match(usageError(['--config', one, '--print-config'], /one\.yaml:2: ui\.theme/).stderr, /^warroom: [^\n]*one\.yaml:2: ui\.theme: [^\n]*expected string[^\n]*got 7\n$/);
});

test('an unknown theme is a warning that --print-config shows too (exit 0)', () => {
  const r = warroom('--theme', 'nope', '--print-config');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warroom: warning: unknown theme "nope"; available themes: colorblind, dark, high-contrast, light/);
  assert.match(r.stdout, /# warning: unknown theme "nope"/);
  assert.match(r.stdout, /theme: nope/);
  const ok = warroom('--theme', 'light', '--print-config');
  assert.doesNotMatch(ok.stderr + ok.stdout, /warning/);
});

/** Runs bash's completion function for a command line (the cursor at its end). */
function bashComplete(script: string, line: string): string[] {
  const words = line.split(' ');
  const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _warroom; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['--norc', '-c', program], { encoding: 'utf8', env, cwd: dir }).split('\n').filter(Boolean);
}

test('warroom completion bash: commands, flags before and after the command, values', () => {
  const r = warroom('completion', 'bash');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /complete -F _warroom warroom/);
  assert.deepEqual(bashComplete(r.stdout, 'warroom sn'), ['snapshot']);
  assert.deepEqual(bashComplete(r.stdout, 'warroom --config f.yaml sn'), ['snapshot'], 'a flag value is not the command');
  assert.deepEqual(bashComplete(r.stdout, 'warroom snapshot --dead'), ['--deadline']);
  assert.deepEqual(bashComplete(r.stdout, 'warroom --dead'), [], 'no snapshot flags without the command');
  assert.deepEqual(bashComplete(r.stdout, 'warroom drill --scenario memory'), ['memory-leak']);
  assert.deepEqual(bashComplete(r.stdout, 'warroom --theme high'), ['high-contrast']);
  assert.deepEqual(bashComplete(r.stdout, 'warroom completion f'), ['fish']);
  assert.ok(bashComplete(r.stdout, 'warroom drill --').includes('--selector'), 'common flags after the command');
  usageError(['completion', 'tcsh'], /unknown shell "tcsh": warroom completion bash\|zsh\|fish/);
});

test('warroom completion zsh loads in zsh and registers itself', () => {
  const script = warroom('completion', 'zsh').stdout;
  const file = path.join(dir, '_warroom');
  fs.writeFileSync(file, script);
  execFileSync('zsh', ['-n', file]);
  const out = execFileSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -D && source ${file} && print -r -- $_comps[warroom]`], {
    encoding: 'utf8',
    env: { ...env, HOME: dir },
  });
  assert.equal(out.trim(), '_warroom');
});

test("warroom completion fish answers fish's own `complete -C`", () => {
  const script = warroom('completion', 'fish').stdout;
  const file = path.join(dir, 'warroom.fish');
  fs.writeFileSync(file, script);
  const ask = (line: string) =>
    execFileSync('fish', ['--no-config', '-c', `source ${file}; complete -C '${line}'`], { encoding: 'utf8', env: { ...env, HOME: dir } })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]);
  assert.ok(ask('warroom sn').includes('snapshot'));
  assert.ok(ask('warroom snapshot --dead').includes('--deadline'));
  assert.deepEqual(ask('warroom drill --scenario latency'), ['latency-spike']);
  assert.ok(ask('warroom completion ').includes('zsh'));
});
