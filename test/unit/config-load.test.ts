import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { loadConfig, maskedConfig, maskSecrets, ConfigError } from '../../src/config/load.js';
import { tempDir } from '../helpers/net.js';

function setup(files: Record<string, string>) {
  const root = tempDir('warroom-config-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return { root, env: { HOME: root, XDG_CONFIG_HOME: path.join(root, 'xdg') } as NodeJS.ProcessEnv };
}

test('no files: defaults', () => {
  const { root, env } = setup({});
  const { config, files } = loadConfig({ cwd: root, env });
  assert.equal(config.ui.theme, 'dark');
  assert.equal(config.ui.refreshSeconds, 5);
  assert.equal(config.severity.errorRate.p1, 0.1);
  assert.deepEqual(files, []);
});

test('precedence: flags > WARROOM_* env > --config > ./warroom.yaml > XDG > defaults', () => {
  const { root, env } = setup({
    'xdg/warroom/config.yaml': 'ui:\n  theme: light\n  refreshSeconds: 9\n  maxFps: 7\nreadOnly: true\n',
    'warroom.yaml': 'ui:\n  theme: high-contrast\n  refreshSeconds: 8\n',
    'other.yaml': 'ui:\n  refreshSeconds: 3\n',
  });
  let c = loadConfig({ cwd: root, env }).config;
  assert.equal(c.ui.theme, 'high-contrast', './warroom.yaml beats XDG');
  assert.equal(c.ui.maxFps, 7, 'XDG values not overridden survive the merge');
  assert.equal(c.readOnly, true);
  c = loadConfig({ cwd: root, env, configFile: 'other.yaml' }).config;
  assert.equal(c.ui.refreshSeconds, 3, '--config beats ./warroom.yaml');
  c = loadConfig({ cwd: root, env: { ...env, WARROOM_REFRESH: '2', WARROOM_THEME: 'colorblind' }, configFile: 'other.yaml' }).config;
  assert.equal(c.ui.refreshSeconds, 2, 'environment beats --config');
  assert.equal(c.ui.theme, 'colorblind');
  c = loadConfig({ cwd: root, env: { ...env, WARROOM_REFRESH: '2' }, configFile: 'other.yaml', overrides: { ui: { refreshSeconds: 1 } } }).config;
  assert.equal(c.ui.refreshSeconds, 1, 'flags beat everything');
});

test('${ENV} references resolve, and are masked when printed', () => {
  const { root, env } = setup({
    'warroom.yaml': [
      'postgres:',
      '  - name: main',
      '    url: postgres://app:${PGPASS}@db.internal:5432/shop',
      'sinks:',
      '  slack:',
      '    webhookUrl: https://hooks.slack.com/services/${SLACK_PATH}',
      '  statuspage:',
      '    pageId: abc',
      '    apiKey: ${SP_KEY}',
    ].join('\n'),
  });
  const loaded = loadConfig({ cwd: root, env: { ...env, PGPASS: 's3cr3t-pw', SLACK_PATH: 'T000/B000/XXXXSECRET', SP_KEY: 'sp-key-123' } });
  assert.equal(loaded.config.postgres[0].url, 'postgres://app:s3cr3t-pw@db.internal:5432/shop');
  const printed = JSON.stringify(maskedConfig(loaded));
  for (const secret of ['s3cr3t-pw', 'XXXXSECRET', 'sp-key-123']) assert.ok(!printed.includes(secret), `${secret} leaked: ${printed}`);
  assert.match(printed, /db\.internal:5432\/shop/, 'the non-secret part of the URL stays readable');
});

test('a missing ${ENV} variable names the file, line and field', () => {
  const { root, env } = setup({ 'warroom.yaml': 'redis:\n  - name: cache\n    url: redis://:${REDIS_PW}@cache:6379\n' });
  assert.throws(
    () => loadConfig({ cwd: root, env }),
    (e: unknown) => e instanceof ConfigError && /warroom\.yaml:3: redis\[0\]\.url: environment variable REDIS_PW is not set/.test(e.message),
  );
});

test('each kind of invalid input gets the message a user needs', () => {
  const cases: [string, RegExp][] = [
    ['ui:\n  theme: dark\n  refreshSeconds: fast\n', /warroom\.yaml:3: ui\.refreshSeconds: expected number, got "fast"/],
    ['ui:\n  colour: red\n', /warroom\.yaml:2: ui: unknown setting "colour"; expected one of: theme, refreshSeconds, maxFps, lowBandwidth/],
    ['prometheus:\n  url: not a url\n', /warroom\.yaml:2: prometheus\.url: .*(url|URL)/],
    ['kube:\n  namespaces: shop\n', /warroom\.yaml:2: kube\.namespaces: expected array, got "shop"/],
    ['ui: [\n', /warroom\.yaml:\d+:\d+: YAML syntax error/],
    ['- just\n- a list\n', /warroom\.yaml:1: expected a mapping of settings/],
    ['severity:\n  errorRate:\n    p1: 1.5\n', /warroom\.yaml:3: severity\.errorRate\.p1: .*(<=|1)/],
    ['postgres:\n  - name: main\n', /warroom\.yaml:2: postgres\[0\]\.url: expected string, got nothing/],
  ];
  for (const [text, re] of cases) {
    const { root, env } = setup({ 'warroom.yaml': text });
    assert.throws(
      () => loadConfig({ cwd: root, env }),
      (e: unknown) => (e instanceof ConfigError && re.test(e.message) ? true : assert.fail(`for ${JSON.stringify(text)}: ${(e as Error).message} !~ ${re}`)),
    );
  }
});

test('a secret is never echoed in a validation error', () => {
  const { root, env } = setup({ 'warroom.yaml': 'sinks:\n  statuspage:\n    pageId: abc\n    apiKey: 12345\n' });
  assert.throws(
    () => loadConfig({ cwd: root, env }),
    (e: unknown) => e instanceof ConfigError && !e.message.includes('12345') && /apiKey/.test(e.message),
  );
});

test('--config pointing nowhere is a clear error', () => {
  const { root, env } = setup({});
  assert.throws(() => loadConfig({ cwd: root, env, configFile: 'nope.yaml' }), /nope\.yaml: config file not found/);
});

test('~/ in path settings means the home directory', () => {
  const { root, env } = setup({ 'warroom.yaml': 'kube:\n  kubeconfig: ~/.kube/prod\nstateDir: ~/state/warroom\nui:\n  theme: dark\n' });
  const { config } = loadConfig({ cwd: root, env });
  assert.equal(config.kube.kubeconfig, path.join(root, '.kube', 'prod'));
  assert.equal(config.stateDir, path.join(root, 'state', 'warroom'));
  assert.equal(config.ui.theme, 'dark', 'names are not paths');
});

// ---- bounds, URL schemes, file checks, strict booleans, URL credentials ----

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Asserts that loading fails with a ConfigError whose message matches `re`; returns the message. */
function rejects(load: () => unknown, re: RegExp, label: string): string {
  let message = '';
  assert.throws(load, (e: unknown) => {
    message = (e as Error).message;
    if (!(e instanceof ConfigError)) return assert.fail(`${label}: not a ConfigError: ${message}`);
    assert.equal(e.exitCode, 2);
    return re.test(message) ? true : assert.fail(`${label}: ${message} !~ ${re}`);
  });
  return message;
}

test('every number has a range: file, line, field and the range in the message', () => {
  const cases: [string, RegExp][] = [
    ['ui:\n  refreshSeconds: 0.000001\n', /warroom\.yaml:2: ui\.refreshSeconds: expected a number from 0\.2 to 3600 seconds, got 0\.000001/],
    ['ui:\n  refreshSeconds: 3000000\n', /warroom\.yaml:2: ui\.refreshSeconds: expected a number from 0\.2 to 3600 seconds, got 3000000/],
    ['ui:\n  maxFps: 0\n', /warroom\.yaml:2: ui\.maxFps: expected an integer from 1 to 60 frames a second, got 0/],
    ['ui:\n  maxFps: 61\n', /warroom\.yaml:2: ui\.maxFps: expected an integer from 1 to 60/],
    ['kube:\n  requestTimeoutSeconds: 0\n', /warroom\.yaml:2: kube\.requestTimeoutSeconds: expected a number above 0 and at most 300 seconds, got 0/],
    ['kube:\n  requestTimeoutSeconds: 301\n', /warroom\.yaml:2: kube\.requestTimeoutSeconds: expected a number above 0 and at most 300 seconds, got 301/],
    ['prometheus:\n  url: http://p:9090\n  timeoutSeconds: 1000\n', /warroom\.yaml:3: prometheus\.timeoutSeconds: expected a number above 0 and at most 300 seconds, got 1000/],
    [
      'postgres:\n  - name: main\n    url: postgres://db/x\n    statementTimeoutMs: 600001\n',
      /warroom\.yaml:4: postgres\[0\]\.statementTimeoutMs: expected an integer from 1 to 600000 ms, got 600001/,
    ],
    ['severity:\n  cadenceMinutes:\n    P0: 0\n', /warroom\.yaml:3: severity\.cadenceMinutes\.P0: expected a number from 1 to 10080 minutes, got 0/],
    ['severity:\n  cadenceMinutes:\n    P3: 100000\n', /warroom\.yaml:3: severity\.cadenceMinutes\.P3: expected a number from 1 to 10080 minutes, got 100000/],
    ['severity:\n  latencyP95Seconds:\n    p1: 4000\n', /warroom\.yaml:3: severity\.latencyP95Seconds\.p1: expected a number above 0 and at most 3600 seconds, got 4000/],
    ['limits:\n  maxResponseMiB: 0\n', /warroom\.yaml:2: limits\.maxResponseMiB: expected a number from 1 to 1024 MiB, got 0/],
  ];
  for (const [text, re] of cases) {
    const { root, env } = setup({ 'warroom.yaml': text });
    rejects(() => loadConfig({ cwd: root, env }), re, JSON.stringify(text));
  }
  const { root, env } = setup({ 'warroom.yaml': 'ui:\n  refreshSeconds: 0.2\n  maxFps: 60\nkube:\n  requestTimeoutSeconds: 300\n' });
  const { config } = loadConfig({ cwd: root, env });
  assert.deepEqual([config.ui.refreshSeconds, config.ui.maxFps, config.kube.requestTimeoutSeconds], [0.2, 60, 300], 'the bounds themselves are accepted');
});

test('thresholds must be ordered: the message names the field and both values', () => {
  const cases: [string, RegExp][] = [
    ['severity:\n  errorRate:\n    p1: 0.6\n', /warroom\.yaml:3: severity\.errorRate\.p1: must be below p0: got p1 0\.6, p0 0\.5$/],
    ['severity:\n  errorRate:\n    p0: 0.3\n    p1: 0.1\n    p2: 0.1\n', /warroom\.yaml:5: severity\.errorRate\.p2: must be below p1: got p2 0\.1, p1 0\.1$/],
    ['severity:\n  latencyP95Seconds:\n    p1: 1\n    p2: 3\n', /warroom\.yaml:4: severity\.latencyP95Seconds\.p2: must be below p1: got p2 3, p1 1$/],
  ];
  for (const [text, re] of cases) {
    const { root, env } = setup({ 'warroom.yaml': text });
    rejects(() => loadConfig({ cwd: root, env }), re, JSON.stringify(text));
  }
});

test('flags and WARROOM_* numbers go through the same bounds, and the message names the flag or variable', async () => {
  const { flagLayers } = await import('../../src/args.js');
  const { root, env } = setup({});
  const flags = (values: Record<string, string>) => loadConfig({ cwd: root, env, flags: flagLayers(values) });
  rejects(() => flags({ refresh: '1e9' }), /^--refresh: ui\.refreshSeconds: expected a number from 0\.2 to 3600 seconds, got 1000000000$/, '--refresh 1e9');
  rejects(() => flags({ refresh: '0.1' }), /^--refresh: ui\.refreshSeconds: expected a number from 0\.2 to 3600 seconds, got 0\.1$/, '--refresh 0.1');
  rejects(() => flags({ 'max-fps': '2.5' }), /^--max-fps: ui\.maxFps: expected an integer from 1 to 60 frames a second, got 2\.5$/, '--max-fps 2.5');
  assert.throws(
    () => flagLayers({ refresh: 'fast' }),
    (e: Error & { exitCode?: number }) => e.exitCode === 2 && /--refresh expects a number, got "fast"/.test(e.message),
  );
  assert.equal(flags({ refresh: '0.2' }).config.ui.refreshSeconds, 0.2);
  const withEnv = (vars: Record<string, string>) => loadConfig({ cwd: root, env: { ...env, ...vars } });
  rejects(() => withEnv({ WARROOM_REFRESH: '1e9' }), /^WARROOM_REFRESH: ui\.refreshSeconds: expected a number from 0\.2 to 3600 seconds, got 1000000000$/, 'WARROOM_REFRESH=1e9');
  rejects(() => withEnv({ WARROOM_REFRESH: 'abc' }), /^WARROOM_REFRESH: ui\.refreshSeconds: expected number, got "abc"$/, 'WARROOM_REFRESH=abc');
  rejects(() => withEnv({ WARROOM_REFRESH: '  ' }), /^WARROOM_REFRESH: ui\.refreshSeconds: expected number, got " {2}"$/, 'WARROOM_REFRESH=spaces');
  rejects(() => withEnv({ WARROOM_MAX_FPS: 'NaN' }), /^WARROOM_MAX_FPS: ui\.maxFps: expected number, got "NaN"$/, 'WARROOM_MAX_FPS=NaN');
  rejects(() => withEnv({ WARROOM_MAX_FPS: '1000' }), /^WARROOM_MAX_FPS: ui\.maxFps: expected an integer from 1 to 60/, 'WARROOM_MAX_FPS=1000');
  assert.equal(withEnv({ WARROOM_REFRESH: '0.5' }).config.ui.refreshSeconds, 0.5);
  // Hex, binary and Infinity are text to a person, not numbers: refused from flags and variables alike.
  rejects(() => withEnv({ WARROOM_REFRESH: '0x10' }), /^WARROOM_REFRESH: ui\.refreshSeconds: expected number, got "0x10"$/, 'WARROOM_REFRESH=0x10');
  rejects(() => withEnv({ WARROOM_MAX_FPS: 'Infinity' }), /^WARROOM_MAX_FPS: ui\.maxFps: expected number, got "Infinity"$/, 'WARROOM_MAX_FPS=Infinity');
  for (const v of ['0x10', '0b11', 'Infinity', ''])
    assert.throws(
      () => flagLayers({ refresh: v }),
      (e: Error & { exitCode?: number }) => e.exitCode === 2 && e.message === `--refresh expects a number, got "${v}"`,
      v,
    );
});

test('WARROOM_READ_ONLY and WARROOM_LOW_BANDWIDTH take 1/true/yes/on or 0/false/no/off, nothing else', () => {
  const { root, env } = setup({ 'warroom.yaml': 'readOnly: true\nui:\n  lowBandwidth: true\n' });
  const load = (vars: Record<string, string>) => loadConfig({ cwd: root, env: { ...env, ...vars } }).config;
  for (const v of ['1', 'true', 'YES', ' On ', 'True']) {
    assert.equal(load({ WARROOM_READ_ONLY: v }).readOnly, true, v);
    assert.equal(load({ WARROOM_LOW_BANDWIDTH: v }).ui.lowBandwidth, true, v);
  }
  for (const v of ['0', 'false', 'NO', ' off ', 'False']) {
    assert.equal(load({ WARROOM_READ_ONLY: v }).readOnly, false, v);
    assert.equal(load({ WARROOM_LOW_BANDWIDTH: v }).ui.lowBandwidth, false, v);
  }
  for (const name of ['WARROOM_READ_ONLY', 'WARROOM_LOW_BANDWIDTH']) {
    for (const v of ['y', 'Y', 'enabled', '2']) {
      rejects(() => load({ [name]: v }), new RegExp(`^${name}: expected one of 1/true/yes/on or 0/false/no/off \\(any case\\), got "${v}"$`), `${name}=${v}`);
    }
  }
});

test('HTTP URLs must be http(s); Postgres and Redis URLs must use their schemes', () => {
  const http = /expected an http:\/\/ or https:\/\/ URL/;
  const cases: [string, RegExp][] = [
    ['prometheus:\n  url: ftp://prom:9090\n', /warroom\.yaml:2: prometheus\.url: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/prom:9090"/],
    [
      'prometheus:\n  url: kube://monitoring\n',
      /warroom\.yaml:2: prometheus\.url: expected kube:\/\/NAMESPACE\/SERVICE:PORT \(a service reached through the Kubernetes API server\), e\.g\. kube:\/\/monitoring\/prometheus-operated:9090, got "kube:\/\/monitoring"/,
    ],
    [
      'prometheus:\n  url: http://p:9090\n  alertmanagerUrl: javascript:alert(1)\n',
      /warroom\.yaml:3: prometheus\.alertmanagerUrl: expected an http:\/\/ or https:\/\/ URL, got "javascript:alert\(1\)"/,
    ],
    ['sinks:\n  slack:\n    webhookUrl: ftp://hooks.slack.com/services/X\n', /warroom\.yaml:3: sinks\.slack\.webhookUrl: expected an http:\/\/ or https:\/\/ URL$/],
    [
      'sinks:\n  statuspage:\n    pageId: a\n    apiKey: k\n    baseUrl: file:///etc/passwd\n',
      /warroom\.yaml:5: sinks\.statuspage\.baseUrl: expected an http:\/\/ or https:\/\/ URL/,
    ],
    ['sinks:\n  webhook:\n    url: javascript:alert(1)\n', /warroom\.yaml:3: sinks\.webhook\.url: expected an http:\/\/ or https:\/\/ URL$/],
    ['postgres:\n  - name: main\n    url: mysql://db/shop\n', /warroom\.yaml:3: postgres\[0\]\.url: expected a postgres:\/\/ or postgresql:\/\/ URL$/],
    ['redis:\n  - name: cache\n    url: http://cache:6379\n', /warroom\.yaml:3: redis\[0\]\.url: unsupported Redis URL: use redis:\/\/, rediss:\/\//],
    ['redis:\n  - name: cache\n    url: redis+sentinel://s1:26379\n', /warroom\.yaml:3: redis\[0\]\.url: .*master name/],
  ];
  for (const [text, re] of cases) {
    const { root, env } = setup({ 'warroom.yaml': text });
    rejects(() => loadConfig({ cwd: root, env }), re, JSON.stringify(text));
  }
  assert.ok(http.source);
  const ok = setup({
    'warroom.yaml': [
      'prometheus: { url: "https://prom.example.com/prefix", alertmanagerUrl: "http://am:9093" }',
      'postgres: [{ name: a, url: "postgres://db/x" }, { name: b, url: "postgresql://u:p@db:5433/x?sslmode=require" }, { name: c, url: "postgres:///x" }]',
      'redis:',
      ...[
        'redis://cache:6379/2',
        'rediss://:pw@cache',
        'redis+sentinel://s1,s2:26380/mymaster/1',
        'rediss+sentinel://s1/m',
        'redis+cluster://n1:7000,n2:7001',
        'rediss+cluster://n1',
      ].map((u, i) => `  - { name: r${i}, url: "${u}" }`),
    ].join('\n'),
  });
  assert.equal(loadConfig({ cwd: ok.root, env: ok.env }).config.redis.length, 6, 'every README Redis form is accepted');
});

test('a config path must be a regular file under 1 MiB (directory, device, FIFO, huge file refused)', () => {
  const { root, env } = setup({});
  fs.mkdirSync(path.join(root, 'dir.yaml'));
  fs.writeFileSync(path.join(root, 'big.yaml'), '# ' + 'x'.repeat(1024 * 1024) + '\n');
  execFileSync('mkfifo', [path.join(root, 'fifo.yaml')]);
  const load = (configFile: string) => loadConfig({ cwd: root, env, configFile });
  rejects(() => load('dir.yaml'), /dir\.yaml: not a regular file \(a directory\); expected a YAML config file$/, 'directory');
  rejects(() => load('/dev/zero'), /^\/dev\/zero: not a regular file \(a character device\); expected a YAML config file$/, '/dev/zero');
  rejects(() => load('fifo.yaml'), /fifo\.yaml: not a regular file \(a FIFO\); expected a YAML config file$/, 'FIFO');
  rejects(() => load('big.yaml'), /big\.yaml: config file too large \(1048579 bytes, at most 1048576\); expected a YAML config file$/, 'big file');
  // The default files too: a FIFO at ./warroom.yaml must not hang the start.
  execFileSync('mkfifo', [path.join(root, 'warroom.yaml')]);
  rejects(() => loadConfig({ cwd: root, env }), /warroom\.yaml: not a regular file \(a FIFO\)/, 'FIFO as ./warroom.yaml');
});

test('a YAML alias bomb (billion laughs) is an error naming the file', () => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]`,
    );
  const { root, env } = setup({ 'warroom.yaml': lines.join('\n') + '\n' });
  const started = Date.now();
  rejects(() => loadConfig({ cwd: root, env }), /warroom\.yaml: cannot load YAML: too many YAML aliases/, 'alias bomb');
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
});

/** `warroom ARGS --print-config` as a child process: exit code, output and how long it took. */
function printConfig(args: string[], env: NodeJS.ProcessEnv) {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--print-config'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

test('the CLI exits 2 at once on a FIFO, /dev/zero or a directory as --config', () => {
  const { root, env } = setup({});
  const fifo = path.join(root, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  for (const [file, kind] of [
    [fifo, 'a FIFO'],
    ['/dev/zero', 'a character device'],
    [root, 'a directory'],
  ]) {
    const r = printConfig(['--config', file], env);
    assert.equal(r.signal, null, `${file}: killed by the timeout (it blocked)`);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.equal(r.stderr, `warroom: ${file}: not a regular file (${kind}); expected a YAML config file\n`);
    assert.equal(r.stdout, '');
    assert.ok(r.ms < 2000, `${file}: took ${r.ms} ms`);
  }
});

test('URL credentials anywhere are secrets: masked in --print-config and by every masker', () => {
  const { root, env } = setup({
    'warroom.yaml': [
      'prometheus:',
      '  url: http://promuser:prom-Pa55@prom.internal:9090/prefix',
      '  alertmanagerUrl: https://am-token-123@am.internal:9093/am',
      'postgres:',
      '  - name: main',
      '    url: postgres://u:p@ssW0rd@db.internal:5432/shop',
      'redis:',
      '  - name: cache',
      '    url: redis+sentinel://:red1s-pw@s1,s2:26380/mymaster',
      'sinks:',
      '  webhook:',
      '    url: https://hook:h00k-pw@hooks.internal/incidents',
    ].join('\n'),
  });
  const loaded = loadConfig({ cwd: root, env });
  const leaks = ['prom-Pa55', 'am-token-123', 'p@ssW0rd', 'ssW0rd', 'red1s-pw', 'h00k-pw'];
  for (const s of [
    'prom-Pa55',
    'promuser:prom-Pa55',
    Buffer.from('promuser:prom-Pa55').toString('base64'),
    'am-token-123',
    Buffer.from('am-token-123:').toString('base64'),
    'p@ssW0rd',
    'red1s-pw',
    'h00k-pw',
  ]) {
    assert.ok(loaded.secrets.includes(s), `${s} not in secrets: ${JSON.stringify(loaded.secrets)}`);
  }
  const printed = maskedConfig(loaded) as { prometheus: { url: string; alertmanagerUrl: string }; postgres: { url: string }[]; redis: { url: string }[] };
  assert.equal(printed.prometheus.url, 'http://****:****@prom.internal:9090/prefix', 'host and path stay readable');
  assert.equal(printed.prometheus.alertmanagerUrl, 'https://****@am.internal:9093/am');
  assert.equal(printed.postgres[0].url, 'postgres://u:****@db.internal:5432/shop', 'user info ends at the last @, as pg reads it');
  assert.equal(printed.redis[0].url, 'redis+sentinel://:****@s1,s2:26380/mymaster');
  const text = JSON.stringify(printed);
  for (const s of leaks) assert.ok(!text.includes(s), `${s} leaked: ${text}`);
  const logLine = maskSecrets(
    `GET http://promuser:prom-Pa55@prom.internal:9090/prefix failed; Authorization: Basic ${Buffer.from('promuser:prom-Pa55').toString('base64')}; am-token-123`,
    loaded.secrets,
  );
  for (const s of leaks) assert.ok(!logLine.includes(s), `${s} leaked: ${logLine}`);
  const r = printConfig([], { HOME: root, XDG_CONFIG_HOME: path.join(root, 'xdg'), WARROOM_PROMETHEUS_URL: 'http://envuser:env-Secret-1@prom:9090' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /url: http:\/\/\*\*\*\*:\*\*\*\*@prom:9090/);
  assert.ok(!r.stdout.includes('env-Secret-1') && !r.stdout.includes('envuser'), r.stdout);
});

test('a Postgres password with an unencoded # is refused, and the password is never shown', () => {
  const { root, env } = setup({ 'warroom.yaml': 'postgres:\n  - name: shop\n    url: postgres://warroom:Pw#Leak_13@db:5432/shop\n' });
  const msg = rejects(() => loadConfig({ cwd: root, env }), /warroom\.yaml:3: postgres\[0\]\.url: a "#" in the user name or password must be percent-encoded as %23/, 'Pw#Leak_13');
  assert.ok(!msg.includes('Leak_13') && !msg.includes('Pw'), msg);
  const r = printConfig(['--config', path.join(root, 'warroom.yaml')], env);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^warroom: .*warroom\.yaml:3: postgres\[0\]\.url: a "#" in the user name or password must be percent-encoded as %23/);
  assert.equal(r.stdout, '');
  assert.ok(!r.stderr.includes('Leak_13') && !r.stderr.includes('Pw#'), r.stderr);
  for (const url of ['postgres://u:12#Leak_13@db/shop', 'postgres://u:Pw?Leak_13@db/shop', 'postgres://u:Pw/Leak_13@db/shop']) {
    const s = setup({ 'warroom.yaml': `postgres:\n  - name: shop\n    url: "${url}"\n` });
    const m = rejects(
      () => loadConfig({ cwd: s.root, env: s.env }),
      /postgres\[0\]\.url: (a ".") in the user name or password must be percent-encoded|not a valid URL: percent-encode/,
      url,
    );
    assert.ok(!m.includes('Leak_13'), m);
  }
  // Percent-encoded, it loads, and the masked form hides it.
  const ok = setup({ 'warroom.yaml': 'postgres:\n  - name: shop\n    url: postgres://warroom:Pw%23Leak_13@db:5432/shop\n' });
  const loaded = loadConfig({ cwd: ok.root, env: ok.env });
  assert.ok(loaded.secrets.includes('Pw#Leak_13') && loaded.secrets.includes('Pw%23Leak_13'));
  assert.ok(!JSON.stringify(maskedConfig(loaded)).includes('Leak_13'));
});
