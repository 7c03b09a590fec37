// The real bytes Ink writes, through a headless terminal emulator. Ink's incremental renderer
// rewrites only changed lines; a mistake there leaves stale characters on a real screen that a
// string-based test never sees. So each screen built from the incremental output is compared,
// cell by cell (text and attributes), with a fresh render of the same state into a new terminal.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Instance } from 'ink';
import { mountCockpit } from '../../src/ui/mount.js';
import { buildKeymap } from '../../src/keys/bindings.js';
import { App } from '../../src/ui/App.js';
import { loadTheme } from '../../src/ui/theme.js';
import { defaultConfig } from '../../src/config/schema.js';
import { startCockpit } from '../../src/runtime.js';
import { tempDir } from '../helpers/net.js';
import type { PodRow } from '../../src/sources/kube/types.js';
import { alert, cockpitWithData, event, fill, kubeData, pod } from '../helpers/cockpit-data.js';
import { NOW, tick } from '../helpers/cockpit.js';
import { XtermStdout, fakeStdin, screenText, screenCells, wrappedRows, cursorState } from '../helpers/xterm.js';

const MAX_FPS = defaultConfig().ui.maxFps;
const clock = () => NOW;

const { theme } = loadTheme('dark', { env: {}, colorMode: 'full' });
const mounted: Array<{ instance: Instance; stdout: XtermStdout }> = [];

after(async () => {
  for (const m of mounted.splice(0)) {
    m.instance.unmount();
    m.stdout.dispose();
  }
});

type Setup = Pick<ReturnType<typeof cockpitWithData>, 'cockpit' | 'keymap' | 'runner'> & {
  controller: { handleKey(key: string): void };
  /** The App's clock; the fixed NOW unless given. */
  now?: () => number;
  theme?: typeof theme;
};

/** Renders the App with the runtime's Ink options into a headless terminal of cols×rows. */
async function mount(s: Setup, cols: number, rows: number) {
  const stdout = new XtermStdout(cols, rows);
  const stdin = fakeStdin();
  const now = s.now ?? clock;
  const instance = mountCockpit(<App cockpit={s.cockpit} theme={s.theme ?? theme} keymap={s.keymap} runner={s.runner} onKey={s.controller.handleKey} now={now} dataNow={now} />, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin,
    maxFps: MAX_FPS,
  });
  const m = { instance, stdout, stdin };
  mounted.push(m);
  await settle(m);
  return m;
}

async function unmount(m: { instance: Instance; stdout: XtermStdout }) {
  m.instance.unmount();
  await m.instance.waitUntilExit().catch(() => {});
  m.stdout.dispose();
  mounted.splice(mounted.indexOf(m), 1);
}

/**
 * Waits for Ink's frame (waitUntilRenderFlush also fires a pending throttled frame), then for
 * effects that render again (the App stores the terminal size), then for the emulator.
 */
async function settle(m: { instance: Instance; stdout: XtermStdout }) {
  await m.instance.waitUntilRenderFlush();
  // Long enough for the debounced full repaint after a resize (src/ui/mount.ts).
  await tick(90);
  await m.instance.waitUntilRenderFlush();
  await m.stdout.flushed();
}

/** A fresh render of the cockpit's current state into a new terminal of the same size. */
async function freshScreen(s: Setup, cols: number, rows: number) {
  const m = await mount(s, cols, rows);
  const shot = { text: screenText(m.stdout.term), cells: screenCells(m.stdout.term) };
  await unmount(m);
  return shot;
}

/** Throws, naming the first differing row, when the live terminal differs from a fresh render. */
async function assertSameAsFresh(s: Setup, live: { instance: Instance; stdout: XtermStdout }, step: string) {
  await settle(live);
  const { columns, rows } = live.stdout;
  const text = screenText(live.stdout.term);
  const cells = screenCells(live.stdout.term);
  const fresh = await freshScreen(s, columns, rows);
  for (let y = 0; y < rows; y++) {
    if (text[y] !== fresh.text[y]) {
      assert.fail(
        `${step} at ${columns}×${rows}: row ${y} differs from a fresh render\n  incremental: ${JSON.stringify(text[y])}\n  fresh:       ${JSON.stringify(fresh.text[y])}\n--- incremental screen ---\n${text.join('\n')}\n--- fresh screen ---\n${fresh.text.join('\n')}`,
      );
    }
  }
  for (let y = 0; y < rows; y++) {
    if (cells[y] !== fresh.cells[y]) {
      const x = firstDiff(cells[y], fresh.cells[y]);
      assert.fail(`${step} at ${columns}×${rows}: row ${y} has the same text as a fresh render but different colours/attributes near cell ${x}: ${JSON.stringify(text[y])}`);
    }
  }
}

function firstDiff(a: string, b: string): number {
  const ca = a.split('|');
  const cb = b.split('|');
  return ca.findIndex((c, i) => c !== cb[i]);
}

/** Header on row 0, footer on the last row, pane borders on row 1, nothing wider than the screen, no wraps. */
function assertFullScreen(m: { stdout: XtermStdout }, what: string) {
  const { term, columns, rows } = m.stdout;
  const text = screenText(term);
  assert.equal(cursorState(term).alternate, true, `${what}: the cockpit is on the alternate screen`);
  assert.match(text[0], /warroom/, `${what}: header on row 0: ${text[0]}`);
  assert.match(text[1], /^[┌╭+]/, `${what}: the first pane's top border on row 1: ${text[1]}`);
  assert.match(
    text[rows - 1],
    /\?\s*help|q\s*quit|^ filter \/|Esc (or \? )?close/,
    `${what}: footer (key hints, the filter being typed, or an overlay's keys) on the last row: ${text[rows - 1]}`,
  );
  for (let y = 1; y < rows - 1; y++) {
    assert.match(text[y], /^[┌╭│├└╰+|]/, `${what}: row ${y} starts with a pane border: ${text[y]}`);
    // A pane squeezed to its title line ("─ 9 Nodes 3 ────") ends its row with the rule itself.
    assert.match(text[y], /(?:[┐╮│┤┘╯+|]|[┐╮│┤┘╯+|][─-] \d+ [^│|┐╮┤┘╯]*[─-])$/, `${what}: row ${y} ends with a pane border or a title line: ${text[y]}`);
    assert.equal(text[y].length, columns, `${what}: row ${y} reaches the right edge: ${text[y]}`);
  }
  // The bottom border of the panes sits right above the footer: the body fills the screen exactly.
  assert.match(text[rows - 2], /^[└╰+]/, `${what}: the last pane's bottom border on row ${rows - 2}: ${text[rows - 2]}`);
  for (const [y, l] of text.entries()) assert.ok(l.length <= columns, `${what}: row ${y} is ${l.length} > ${columns} columns`);
  assert.deepEqual(wrappedRows(term), [], `${what}: no row is the continuation of a wrapped line`);
  // Full screen: the top row is the header still (a frame one line too tall would have scrolled it away).
  assert.equal(term.buffer.active.viewportY, 0, `${what}: nothing scrolled`);
}

// ---------------------------------------------------------------- changes a responder sees

type Change = [string, (s: Setup) => void];

const setPod = (s: Setup, name: string, patch: Partial<PodRow>) =>
  s.cockpit.publisher('kube')((prev) => ({ ...prev, updatedAt: NOW, data: { ...prev.data, pods: prev.data.pods.map((p) => (p.name === name ? { ...p, ...patch } : p)) } }));

function changes(): Change[] {
  const initial = kubeData();
  const flipped = initial.pods[1].name; // a healthy api pod near the top of the list (pods[2] is crashing)
  const removed = initial.pods[3].name;
  const key =
    (...keys: string[]) =>
    (s: Setup) =>
      keys.forEach((k) => s.controller.handleKey(k));
  return [
    ['pod Running → CrashLoopBackOff', (s) => (setPod(s, flipped, { status: 'CrashLoopBackOff', healthy: false, ready: 0, restarts: 3, recentRestarts: 3 }), s.cockpit.flush())],
    ['pod CrashLoopBackOff → Running', (s) => (setPod(s, flipped, { status: 'Running', healthy: true, ready: 1, recentRestarts: 0 }), s.cockpit.flush())],
    [
      'a pod is removed',
      (s) => {
        s.cockpit.publisher('kube')((prev) => ({ ...prev, data: { ...prev.data, pods: prev.data.pods.filter((p) => p.name !== removed) } }));
        s.cockpit.flush();
      },
    ],
    [
      'rows are added (pods, an event, an alert)',
      (s) => {
        s.cockpit.publisher('kube')((prev) => ({
          ...prev,
          data: {
            ...prev.data,
            pods: [pod('shop', 'api', 90, 'Pending'), ...prev.data.pods, pod('shop', 'search-indexer-long-name', 91)],
            events: [event(99, true, 'pod/api-new'), ...prev.data.events],
          },
        }));
        s.cockpit.publisher('prom')((prev) => ({
          ...prev,
          data: { ...prev.data, alerts: [alert(9, 'RedisMemoryHigh', 'warning', 'sessions at 79% of maxmemory'), ...prev.data.alerts] },
        }));
        s.cockpit.flush();
      },
    ],
    [
      'the crashing pod recovers (a long status shortens)',
      (s) => (setPod(s, initial.pods[2].name, { status: 'Running', healthy: true, ready: 1, recentRestarts: 0 }), s.cockpit.flush()),
    ],
    ['the Pending pod schedules', (s) => (setPod(s, pod('shop', 'api', 90).name, { status: 'Running', healthy: true, ready: 1, reason: null }), s.cockpit.flush())],
    ['Tab moves focus', key('tab')],
    ['Tab again', key('tab')],
    ['? opens the help overlay', key('?')],
    ['Escape closes it', key('escape')],
    ['1 focuses pods', key('1')],
    ['/ starts a filter', key('/')],
    ['typing the filter', key('c', 'h', 'e')],
    ['Enter keeps it', key('enter')],
    ['Escape clears it', key('escape')],
    ['z zooms', key('z')],
    ['j moves the cursor in the zoomed pane', key('j', 'j')],
    ['z unzooms', key('z')],
    [
      'Postgres goes down (the pane shows the error)',
      (s) => {
        s.cockpit.publisher('postgres')((prev) => ({ ...prev, status: 'down', error: 'connect ECONNREFUSED 10.0.0.12:5432' }));
        s.cockpit.flush();
      },
    ],
  ];
}

// ---------------------------------------------------------------- tests

for (const [cols, rows] of [
  [80, 24],
  [200, 50],
] as const) {
  test(`${cols}×${rows}: the first frame exactly fills the emulated screen`, async () => {
    const s = cockpitWithData();
    const m = await mount(s, cols, rows);
    assertFullScreen(m, `first frame ${cols}×${rows}`);
    const text = screenText(m.stdout.term).join('\n');
    assert.match(text, /CrashLoopBackOff/, 'the crashing pod is on screen');
    assert.match(text, /Pods/);
    assert.match(text, /Alerts/);
    m.instance.unmount();
    await m.instance.waitUntilExit().catch(() => {});
    await m.stdout.flushed();
    assert.equal(cursorState(m.stdout.term).alternate, false, 'leaving the cockpit restores the normal screen');
    await unmount(m);
  });

  test(`${cols}×${rows}: after each change the incrementally drawn screen equals a fresh render`, async () => {
    const s = cockpitWithData();
    const live = await mount(s, cols, rows);
    await assertSameAsFresh(s, live, 'first frame');
    const fullFrame = live.stdout.raw.length;
    const written: Record<string, number> = {};
    for (const [step, apply] of changes()) {
      const before = live.stdout.raw.length;
      apply(s);
      await assertSameAsFresh(s, live, step);
      written[step] = live.stdout.raw.length - before;
      if (!step.startsWith('Postgres goes down')) assertFullScreen(live, `${step} at ${cols}×${rows}`);
    }
    // The comparison exercised Ink's line diff: a pod's status change rewrote a few lines, not the frame.
    const flip = written['pod Running → CrashLoopBackOff'];
    assert.ok(flip > 0 && flip < fullFrame / 3, `a pod flip wrote ${flip} bytes; a full frame is ${fullFrame}`);
    // The changes did reach the screen (the comparison is not between two unchanged frames).
    const last = screenText(live.stdout.term).join('\n');
    assert.match(last, /pg✖DOWN/, 'the Postgres outage reached the screen');
    assert.match(last, /RedisMemoryHigh/, 'the added alert reached the screen');
    await unmount(live);
  });
}

for (const [cols, rows] of [
  [80, 24],
  [200, 50],
] as const) {
  test(`${cols}×${rows}: a pane whose source is down keeps its number, title and border next to a long error`, async () => {
    const s = cockpitWithData();
    s.cockpit.publisher('postgres')((prev) => ({
      ...prev,
      status: 'down',
      error: 'connect ECONNREFUSED 10.0.0.12:5432 (is the server running on that host and accepting TCP/IP connections?)',
    }));
    s.cockpit.flush();
    const m = await mount(s, cols, rows);
    const top = screenText(m.stdout.term).find((l) => /DOWN \(data/.test(l));
    assert.ok(top, 'the outage shows in the pane title bar');
    assert.match(top, /6 Po/, `the pane keeps its number and (shortened) title: ${top}`);
    assertFullScreen(m, `Postgres down at ${cols}×${rows}`);
    await unmount(m);
  });
}

test('120×35: Kubernetes down with a long error in every kube pane title: each row still ends at the screen edge', async () => {
  const s = cockpitWithData();
  s.cockpit.publisher('kube')((prev) => ({ ...prev, status: 'down', updatedAt: null, error: 'not found: namespaces "shop*" not found (+6 more)' }));
  s.cockpit.flush();
  const m = await mount(s, 120, 35);
  assertFullScreen(m, 'Kubernetes down at 120×35');
  await unmount(m);
});

test('the comparison catches a recoloured cell and a stray character left on the screen', async () => {
  const s = cockpitWithData();
  const live = await mount(s, 80, 24);
  await assertSameAsFresh(s, live, 'before');
  // Only a colour differs: the top-left corner redrawn in another colour, text unchanged.
  const row1 = screenText(live.stdout.term)[1];
  live.stdout.write(`\x1b7\x1b[2;1H\x1b[38;2;1;2;3m${row1.slice(0, 3)}\x1b[0m\x1b8`);
  await assert.rejects(assertSameAsFresh(s, live, 'recoloured'), /row 1 has the same text as a fresh render but different colours/);
  // A character no frame drew, in the middle of the pods pane (what a wrong line diff leaves behind).
  live.stdout.write('\x1b7\x1b[6;20HX\x1b8');
  await assert.rejects(assertSameAsFresh(s, live, 'stray'), /row 5 differs from a fresh render/);
  await unmount(live);
});

const resizes: Array<[string, [number, number], [number, number]]> = [
  ['grows 80×24 → 200×50', [80, 24], [200, 50]],
  ['shrinks 200×50 → 80×24', [200, 50], [80, 24]],
  ['loses rows only 120×40 → 120×30', [120, 40], [120, 30]],
  ['gains rows only 120×30 → 120×40', [120, 30], [120, 40]],
  ['gains columns only 100×30 → 160×30', [100, 30], [160, 30]],
  ['loses columns only 160×30 → 100×30', [160, 30], [100, 30]],
];

for (const [what, [c0, r0], [c1, r1]] of resizes) {
  test(`a resize that ${what} redraws the whole screen as a fresh render at the new size`, async () => {
    const s = cockpitWithData();
    const live = await mount(s, c0, r0);
    assertFullScreen(live, `before the resize ${c0}×${r0}`);
    live.stdout.resize(c1, r1);
    await assertSameAsFresh(s, live, `after the resize ${c0}×${r0} → ${c1}×${r1}`);
    assertFullScreen(live, `after the resize ${c0}×${r0} → ${c1}×${r1}`);
    // And the next incremental frame after the resize is right too.
    s.controller.handleKey('tab');
    await assertSameAsFresh(s, live, `first change after the resize to ${c1}×${r1}`);
    await unmount(live);
  });
}

test('a resize in the middle of frames (a change, then the window dragged through several sizes) ends on a correct screen', async () => {
  const s = cockpitWithData();
  const live = await mount(s, 120, 40);
  const sizes: Array<[number, number]> = [
    [118, 39],
    [110, 36],
    [100, 30],
    [90, 28],
    [84, 25],
    [80, 24],
  ];
  setPod(s, kubeData().pods[1].name, { status: 'OOMKilled', healthy: false, ready: 0 });
  s.cockpit.flush();
  for (const [c, r] of sizes) {
    live.stdout.resize(c, r);
    await tick(15);
  }
  await assertSameAsFresh(s, live, 'after dragging the window smaller');
  for (const [c, r] of [...sizes].reverse().concat([
    [150, 45],
    [200, 50],
  ])) {
    live.stdout.resize(c, r);
    await tick(15);
  }
  await assertSameAsFresh(s, live, 'after dragging the window larger');
  await unmount(live);
});

test('a resize below the minimum size shows the message, and back redraws the cockpit', async () => {
  const s = cockpitWithData();
  const live = await mount(s, 100, 30);
  live.stdout.resize(50, 12);
  await assertSameAsFresh(s, live, 'too small');
  assert.match(screenText(live.stdout.term)[0], /Terminal too small: 50×12/);
  live.stdout.resize(100, 30);
  await assertSameAsFresh(s, live, 'back to 100×30');
  assertFullScreen(live, 'back to 100×30');
  await unmount(live);
});

test('the runtime itself (startCockpit, its own Ink options) fills the terminal and redraws correctly on resizes', async () => {
  const config = defaultConfig();
  config.kube.enabled = false;
  config.stateDir = tempDir();
  const stdout = new XtermStdout(80, 24);
  const running = await startCockpit({ loaded: { config, files: [], secrets: [] }, stdout: stdout as unknown as NodeJS.WriteStream, stdin: fakeStdin() });
  try {
    // The runtime's clock is the wall clock: stamp the data from now (every age shown is ≥ 10 min, so it is stable for a minute).
    fill(running.cockpit, Date.now());
    // The runtime keeps its Ink instance to itself: wait out the frame throttle instead (a trailing frame lands by then).
    const live = { instance: { waitUntilRenderFlush: () => tick(1000 / config.ui.maxFps + 40) } as unknown as Instance, stdout };
    const s: Setup = {
      cockpit: running.cockpit,
      keymap: buildKeymap(config.keys),
      runner: running.runner,
      controller: { handleKey: () => {} },
      now: Date.now,
      theme: loadTheme(config.ui.theme).theme,
    };
    await assertSameAsFresh(s, live, 'runtime first frame');
    assertFullScreen(live, 'runtime 80×24');
    assert.match(screenText(stdout.term).join('\n'), /CrashLoopBackOff/, "the data reached the runtime's screen");
    for (const [c, r] of [
      [200, 50],
      [120, 30],
      [80, 24],
    ] as const) {
      stdout.resize(c, r);
      await assertSameAsFresh(s, live, `runtime resized to ${c}×${r}`);
      assertFullScreen(live, `runtime resized to ${c}×${r}`);
    }
  } finally {
    await running.stop(0);
    stdout.dispose();
  }
});

test('keys typed on the terminal (stdin, through useInput) redraw correctly, and a resize under the help overlay too', async () => {
  const s = cockpitWithData();
  const live = await mount(s, 80, 24);
  live.stdin.write('\t');
  await assertSameAsFresh(s, live, 'Tab typed');
  assert.equal(s.cockpit.store.getState().ui.focus, 'deployments', 'the typed Tab reached the controller');
  live.stdin.write('?');
  await assertSameAsFresh(s, live, '? typed');
  assert.notEqual(s.cockpit.store.getState().ui.overlay, null, 'the help overlay is open');
  live.stdout.resize(120, 40);
  await assertSameAsFresh(s, live, 'resized under the help overlay');
  live.stdin.write('\x1b');
  await tick(100); // a lone Escape is told apart from an escape sequence after a short wait
  await assertSameAsFresh(s, live, 'Escape typed');
  assert.equal(s.cockpit.store.getState().ui.overlay, null, 'the help overlay closed');
  assertFullScreen(live, 'after the overlay at 120×40');
  await unmount(live);
});
