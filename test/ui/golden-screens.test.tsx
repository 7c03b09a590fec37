// Golden screens: the cockpit filled with the fixture data (fixed clock) at the three sizes a
// responder uses, compared with the committed text under test/golden/. `UPDATE_GOLDEN=1 npm test`
// (or this file alone) rewrites them; review the diff like code. Beside the picture, each size
// asserts the columns and rows a responder relies on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanup } from 'ink-testing-library';
import { renderCockpit, tick } from '../helpers/cockpit.js';
import { fill } from '../helpers/cockpit-data.js';

after(() => cleanup());

const GOLDEN = path.join(import.meta.dirname, '..', 'golden');

async function screen(cols: number, rows: number): Promise<string[]> {
  const c = renderCockpit({ cols, rows });
  fill(c.cockpit);
  await tick(50);
  const lines = c.frame().split('\n');
  c.ui.unmount();
  const file = path.join(GOLDEN, `cockpit-${cols}x${rows}.txt`);
  const text = lines.map((l) => l.trimEnd()).join('\n') + '\n';
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(file, text);
  assert.equal(text, fs.readFileSync(file, 'utf8'), `the ${cols}×${rows} screen differs from ${path.relative(process.cwd(), file)} (UPDATE_GOLDEN=1 rewrites it)`);
  assert.equal(lines.length, rows);
  return lines;
}

const header = (lines: string[], first: RegExp) => lines.find((l) => first.test(l)) ?? '';

test('80×24 matches its golden screen: Pods keeps NAME READY STATUS RESTARTS, Deployments shows every row', async () => {
  const lines = await screen(80, 24);
  assert.match(header(lines, /NAME .* READY/), /NAME +READY +STATUS +RESTARTS/);
  for (const d of ['api', 'checkout', 'cart', 'worker'])
    assert.ok(
      lines.some((l) => new RegExp(`│ ${d} +\\d+/\\d+`).test(l)),
      `deployment ${d} shown`,
    );
  assert.ok(
    lines.some((l) => /CrashLoopBackOff/.test(l)),
    'the crash-looping pod is on screen',
  );
});

test('120×35 matches its golden screen: the error-rate pane keeps VS 1H', async () => {
  const lines = await screen(120, 35);
  assert.match(header(lines, /SERVICE +5XX/), /SERVICE +5XX +P95 +VS 1H/);
  assert.match(header(lines, /NAME .* READY/), /NAME +READY +STATUS +RESTARTS/);
});

test('200×50 matches its golden screen: CPU, MEM against the limit, LAST STATE and NODE beside whole pod names', async () => {
  const lines = await screen(200, 50);
  assert.match(header(lines, /NAME .* READY/), /NAME +READY +STATUS +RESTARTS +CPU +MEM +LAST STATE +NODE +AGE/);
  const crash = lines.find((l) => /CrashLoopBackOff/.test(l)) ?? '';
  assert.match(crash, /api-5f7c9d2b8-kx202 +0\/1 +CrashLoopBackOff/, 'the whole pod name');
  assert.match(crash, /\d+Mi\/768Mi +\d+% +OOMKilled 4m +node-\d/, 'memory of its limit, the last termination and its node');
});

test('the focused pane names what its selected row cuts or leaves out, in its bottom border', async () => {
  const c = renderCockpit({ cols: 80, rows: 24 });
  fill(c.cockpit);
  await c.press('1', 'j', 'j');
  const border = c
    .frame()
    .split('\n')
    .find((l) => l.startsWith('╰─ '));
  assert.match(border ?? '', /^╰─ NAME api-5f7c9d2b8-kx202 · LAST STATE OOM/, 'the whole name of the selected pod, then what its trouble is (cut first, shown first)');
  await c.press('z');
  const zoomed = c.frame();
  assert.match(zoomed, /shop +api-5f7c9d2b8-kx202 +0\/1 +CrashLoopBackOff +14 \(\+5\) +4h/, 'zoomed, the row has room for more');
  assert.match(zoomed, /╰─ LAST STATE OOMKilled 4m · MEM 196Mi\/768Mi 26% · CPU 94m 9% · NODE node-3 ─+╯/, 'and the border shows the rest');
  c.ui.unmount();
});
