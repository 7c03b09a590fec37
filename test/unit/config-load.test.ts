import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, maskedConfig, ConfigError } from '../../src/config/load.js';
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
    ['ui:\n  colour: red\n', /warroom\.yaml:1: ui: unknown setting "colour"; expected one of: theme, refreshSeconds, maxFps, lowBandwidth/],
    ['prometheus:\n  url: not a url\n', /warroom\.yaml:2: prometheus\.url: .*(url|URL)/],
    ['kube:\n  namespaces: shop\n', /warroom\.yaml:2: kube\.namespaces: expected array, got "shop"/],
    ['ui: [\n', /warroom\.yaml:\d+:\d+: YAML syntax error/],
    ['- just\n- a list\n', /warroom\.yaml:1: expected a mapping of settings/],
    ['severity:\n  errorRate:\n    p1: 1.5\n', /warroom\.yaml:3: severity\.errorRate\.p1: .*(<=|1)/],
    ['postgres:\n  - name: main\n', /warroom\.yaml:2: postgres\[0\]\.url: expected string, got nothing/],
  ];
  for (const [text, re] of cases) {
    const { root, env } = setup({ 'warroom.yaml': text });
    assert.throws(() => loadConfig({ cwd: root, env }), (e: unknown) => e instanceof ConfigError && re.test(e.message) ? true : assert.fail(`for ${JSON.stringify(text)}: ${(e as Error).message} !~ ${re}`));
  }
});

test('a secret is never echoed in a validation error', () => {
  const { root, env } = setup({ 'warroom.yaml': 'sinks:\n  statuspage:\n    pageId: abc\n    apiKey: 12345\n' });
  assert.throws(() => loadConfig({ cwd: root, env }), (e: unknown) => e instanceof ConfigError && !e.message.includes('12345') && /apiKey/.test(e.message));
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
