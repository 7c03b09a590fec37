// Colour support is decided when chalk loads, so force a colour terminal before importing Ink.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';

process.env.FORCE_COLOR = '3';
const { renderCockpit, NOW } = await import('../helpers/cockpit.js');
const { cleanup } = await import('ink-testing-library');
after(() => cleanup());

const COLOUR = /\x1b\[(3[0-7]|9[0-7]|38;|4[0-7]|10[0-7]|48;)/;

function fill(c: ReturnType<typeof renderCockpit>) {
  c.set((s) => ({
    kube: {
      status: 'ok',
      updatedAt: NOW,
      error: null,
      data: {
        ...s.kube.data,
        context: 'prod',
        namespaces: ['shop'],
        pods: [
          {
            key: 'shop/a',
            namespace: 'shop',
            name: 'api-1',
            ready: 0,
            containers: 1,
            status: 'CrashLoopBackOff',
            reason: null,
            healthy: false,
            restarts: 9,
            recentRestarts: 3,
            createdAt: NOW - 60_000,
            node: 'n1',
            deployment: 'api',
            cpuMilli: null,
            memoryBytes: null,
          },
        ],
      },
    },
  }));
}

test('with colour, the cockpit uses colour codes (the check below can fail)', async () => {
  const c = renderCockpit({ cols: 120, rows: 35 });
  fill(c);
  await c.press('1');
  assert.ok(COLOUR.test(c.rawFrame()));
  c.ui.unmount();
});

test('NO_COLOR: no colour codes, but bold and inverse still mark the selection and states', async () => {
  const c = renderCockpit({ cols: 120, rows: 35, env: { NO_COLOR: '1' } });
  fill(c);
  await c.press('1');
  const raw = c.rawFrame();
  assert.ok(!COLOUR.test(raw), 'colour SGR codes found under NO_COLOR');
  assert.ok(raw.includes('\x1b[7m'), 'the selected row is shown inverse');
  assert.ok(raw.includes('\x1b[1m'), 'bold kept');
  c.ui.unmount();
});
