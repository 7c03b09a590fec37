// The cell-level output stage (src/ui/output) through a headless terminal: its screen equals
// Ink's own output cell by cell (text and attributes) across panes, dialogs, overlays, wide
// glyphs and the too-small screen; a pod's state change writes only the changed cells; frames
// are bracketed as synchronized updates except on terminals without them; the terminal is
// given back on unmount.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { Box, Text, type Instance } from 'ink';
import { mountCockpit } from '../../src/ui/mount.js';
import { App } from '../../src/ui/App.js';
import { loadTheme } from '../../src/ui/theme.js';
import { defaultConfig } from '../../src/config/schema.js';
import { dialogInteraction } from '../../src/ui/dialogs/dialogs.js';
import { Grid, LineCache, StyleTable, parseLine } from '../../src/ui/output/cells.js';
import { diffGrids } from '../../src/ui/output/diff.js';
import { supportsScrollRegions, supportsSynchronizedUpdate } from '../../src/ui/output/stage.js';
import type { PodRow } from '../../src/sources/kube/types.js';
import { cockpitWithData, kubeData } from '../helpers/cockpit-data.js';
import { shiftingScreens } from '../helpers/shifting-screens.js';
import { NOW, tick } from '../helpers/cockpit.js';
import { XtermStdout, fakeStdin, screenCells, screenText, cursorState } from '../helpers/xterm.js';
import xterm from '@xterm/headless';

const MAX_FPS = defaultConfig().ui.maxFps;
const { theme } = loadTheme('dark', { env: {}, colorMode: 'full' });
const open: Array<{ instance: Instance; stdout: XtermStdout }> = [];
after(() => {
  for (const m of open.splice(0)) {
    m.instance.unmount();
    m.stdout.dispose();
  }
});

type S = ReturnType<typeof cockpitWithData>;

async function mount(node: React.ReactElement, cols: number, rows: number, cellOutput: boolean) {
  const stdout = new XtermStdout(cols, rows);
  const instance = mountCockpit(node, { stdout: stdout as unknown as NodeJS.WriteStream, stdin: fakeStdin(), maxFps: MAX_FPS, cellOutput });
  const m = { instance, stdout };
  open.push(m);
  await settle(m);
  return m;
}

async function settle(m: { instance: Instance; stdout: XtermStdout }) {
  await m.instance.waitUntilRenderFlush();
  await tick(90);
  await m.instance.waitUntilRenderFlush();
  await m.stdout.flushed();
}

async function close(m: { instance: Instance; stdout: XtermStdout }) {
  m.instance.unmount();
  await m.instance.waitUntilExit().catch(() => {});
  m.stdout.dispose();
  open.splice(open.indexOf(m), 1);
}

const app = (s: S) => <App cockpit={s.cockpit} theme={theme} keymap={s.keymap} runner={s.runner} onKey={s.controller.handleKey} now={() => NOW} dataNow={() => NOW} />;

/** Renders `node` with Ink's own output and with the stage; the two screens must be the same, cell by cell. */
async function assertSameAsInk(node: () => React.ReactElement, cols: number, rows: number, what: string) {
  const ink = await mount(node(), cols, rows, false);
  const stage = await mount(node(), cols, rows, true);
  const [ti, ts] = [screenText(ink.stdout.term), screenText(stage.stdout.term)];
  const [ci, cs] = [screenCells(ink.stdout.term), screenCells(stage.stdout.term)];
  await close(ink);
  await close(stage);
  for (let y = 0; y < rows; y++)
    assert.equal(ts[y], ti[y], `${what} ${cols}×${rows}: row ${y} text differs from Ink's\n--- stage ---\n${ts.join('\n')}\n--- ink ---\n${ti.join('\n')}`);
  for (let y = 0; y < rows; y++) {
    if (cs[y] === ci[y]) continue;
    const x = cs[y].split('|').findIndex((c, i) => c !== ci[y].split('|')[i]);
    assert.fail(`${what} ${cols}×${rows}: row ${y} has Ink's text but other attributes near cell ${x}: ${JSON.stringify(ts[y])}`);
  }
  return ts;
}

const setPod = (s: S, name: string, patch: Partial<PodRow>) => {
  s.cockpit.publisher('kube')((prev) => ({ ...prev, data: { ...prev.data, pods: prev.data.pods.map((p) => (p.name === name ? { ...p, ...patch } : p)) } }));
  s.cockpit.flush();
};

for (const [cols, rows] of [
  [80, 24],
  [200, 50],
] as const) {
  test(`${cols}×${rows}: the stage draws what Ink draws: panes, the help overlay, a confirmation dialog, a prompt`, async () => {
    const s = cockpitWithData();
    const first = await assertSameAsInk(() => app(s), cols, rows, 'cockpit');
    assert.match(first.join('\n'), /CrashLoopBackOff/);
    s.controller.handleKey('?');
    await assertSameAsInk(() => app(s), cols, rows, 'help overlay');
    s.controller.handleKey('escape');
    const ask = dialogInteraction(s.cockpit);
    void ask.confirm({
      title: 'Restart deployment shop/api?',
      lines: [
        'kubectl rollout restart deployment/api -n shop',
        'All 9 pods are replaced, a few at a time, as the rollout strategy allows. This line is long enough to wrap inside the dialog box at 80 columns.',
      ],
      dangerous: true,
      typeName: 'api',
    });
    const dialog = await assertSameAsInk(() => app(s), cols, rows, 'confirm dialog');
    assert.match(dialog.join('\n'), /Type "api" to confirm/);
    s.controller.handleKey('escape');
    void ask.prompt('Post a status update', [{ name: 'what', label: 'What we know', initial: 'Checkout errors since 15:40 UTC' }]);
    await assertSameAsInk(() => app(s), cols, rows, 'prompt dialog');
  });
}

test('the stage draws what Ink draws: wide glyphs, nested styles, borders, clipping, truncation, the too-small screen', async () => {
  const tree = () => (
    <Box width={60} height={12} flexDirection="column">
      <Box borderStyle="round" borderColor="cyan" width={30} height={4} paddingX={1}>
        <Text wrap="truncate">
          <Text color="red" bold>
            告警 🔥 critical
          </Text>{' '}
          <Text underline dimColor>
            pods in CrashLoopBackOff everywhere in the cluster
          </Text>
        </Text>
      </Box>
      <Box width={20} height={2} overflow="hidden">
        <Text wrap="wrap">a long line of words that wraps into more rows than the box has</Text>
      </Box>
      <Box width={40} backgroundColor="blue" height={2}>
        <Text inverse>inverse on a blue box</Text>
      </Box>
      <Text color="#ff8800" backgroundColor="ansi256(22)" italic strikethrough wrap="truncate-middle">
        middle-truncated text that is longer than sixty columns, with a tail at the end
      </Text>
      <Text>{'\x1b[1;38;2;10;20;30mraw sgr\x1b[22m still coloured\x1b[0m then plain 日本語'}</Text>
    </Box>
  );
  await assertSameAsInk(tree, 60, 12, 'widgets');
  const s = cockpitWithData();
  await assertSameAsInk(() => app(s), 50, 12, 'too small');
});

test('200×50: a restart count going up writes one cell; a pod that changes group writes the rows that moved, far less than Ink', async () => {
  const pods = kubeData().pods;
  const crashing = pods[2].name;
  const healthy = pods[12].name;
  const written: Record<string, Record<string, number>> = {};
  for (const cellOutput of [false, true]) {
    const s = cockpitWithData();
    const m = await mount(app(s), 200, 50, cellOutput);
    const w: Record<string, number> = (written[cellOutput ? 'stage' : 'ink'] = {});
    w.full = m.stdout.raw.length;
    const measure = async (what: string, change: () => void) => {
      const before = m.stdout.raw.length;
      change();
      await settle(m);
      w[what] = Buffer.byteLength(m.stdout.raw.slice(before));
    };
    await measure('restart', () => setPod(s, crashing, { restarts: 15 }));
    await measure('group', () => setPod(s, healthy, { status: 'CrashLoopBackOff', healthy: false, ready: 0 }));
    await measure('nothing', () => s.cockpit.flush());
    await measure('removed', () => {
      s.cockpit.publisher('kube')((prev) => ({ ...prev, data: { ...prev.data, pods: prev.data.pods.filter((p) => p.name !== pods[5].name) } }));
      s.cockpit.flush();
    });
    if (cellOutput) {
      const raw = m.stdout.raw;
      assert.match(screenText(m.stdout.term).join('\n'), /15 \(\+5\)/, 'the new count is on screen');
      assert.ok(raw.includes('\x1b[?2026h') && raw.includes('\x1b[?2026l'), 'frames are synchronized updates');
    }
    await close(m);
  }
  const { ink, stage } = written;
  assert.ok(stage.restart < 80, `one changed digit: ${stage.restart} B (Ink ${ink.restart} B)`);
  assert.ok(stage.group < ink.group / 2, `a pod changing group: stage ${stage.group} B, Ink ${ink.group} B`);
  assert.ok(stage.full < ink.full, `first frame: stage ${stage.full} B, Ink ${ink.full} B`);
  assert.equal(stage.nothing, 0, 'a flush that changes nothing writes nothing');
  assert.ok(stage.removed < ink.removed / 4, `a pod removed from a full pane: stage ${stage.removed} B, Ink ${ink.removed} B`);
});

test('after unmount the terminal is back: normal screen, cursor shown, attributes reset', async () => {
  const s = cockpitWithData();
  const m = await mount(app(s), 80, 24, true);
  assert.equal(cursorState(m.stdout.term).alternate, true);
  m.instance.unmount();
  await m.stdout.flushed();
  assert.equal(cursorState(m.stdout.term).alternate, false);
  assert.ok(m.stdout.raw.endsWith('\x1b[0m\x1b[?25h\x1b[?1049l'), JSON.stringify(m.stdout.raw.slice(-30)));
  m.stdout.dispose();
  open.splice(open.indexOf(m), 1);
});

test('synchronized updates: on for xterm-like terminals, off for the Linux console and dumb terminals, overridable; scroll regions everywhere but dumb', () => {
  assert.equal(supportsSynchronizedUpdate({ TERM: 'xterm-256color' }), true);
  assert.equal(supportsSynchronizedUpdate({ TERM: 'tmux-256color' }), true);
  assert.equal(supportsSynchronizedUpdate({ TERM: 'linux' }), false);
  assert.equal(supportsSynchronizedUpdate({ TERM: 'dumb' }), false);
  assert.equal(supportsSynchronizedUpdate({ TERM: 'linux', WARROOM_SYNC_UPDATE: '1' }), true);
  assert.equal(supportsSynchronizedUpdate({ TERM: 'xterm', WARROOM_SYNC_UPDATE: '0' }), false);
  assert.equal(supportsScrollRegions({ TERM: 'linux' }), true, 'the Linux console has DECSTBM, IL and DL');
  assert.equal(supportsScrollRegions({ TERM: 'dumb' }), false);
  assert.equal(supportsScrollRegions({ TERM: 'xterm-256color', WARROOM_SCROLL_REGIONS: '0' }), false);
});

// ---------------------------------------------------------------- the diff on its own

/** Applies `out` to a headless terminal that showed `from`, and returns the screen. */
async function replay(cols: number, rows: number, chunks: string[]): Promise<string[]> {
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 0, convertEol: true });
  for (const c of chunks) await new Promise<void>((r) => term.write(c, r));
  const buf = term.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < rows; y++) out.push(buf.getLine(y)!.translateToString(true).trimEnd());
  term.dispose();
  return out;
}

function gridOf(lines: string[], cols: number, styles: StyleTable): Grid {
  const g = new Grid(cols, lines.length);
  const cache = new LineCache(styles);
  lines.forEach((l, y) => g.blit(cache.get(l), 0, y, { x1: 0, x2: cols, y1: 0, y2: lines.length }));
  return g;
}

test('diff: random edits of styled, wide and blank cells replay to exactly the next screen', async () => {
  const styles = new StyleTable();
  const cols = 24;
  const rows = 6;
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pieces = ['ab', 'xyz', '日本', '한', '   ', '\x1b[1mB\x1b[22m', '\x1b[31mred\x1b[39m', '\x1b[7m inv \x1b[27m', '\x1b[38;2;1;2;3mtc\x1b[0m', '—'];
  const screen = () => Array.from({ length: rows }, () => Array.from({ length: 1 + rnd(6) }, () => pieces[rnd(pieces.length)]).join(''));
  let prevLines = screen();
  const front = gridOf(prevLines, cols, styles);
  const chunks = [diffGrids(null, front, styles).out];
  for (let round = 0; round < 40; round++) {
    const nextLines = round % 5 === 4 ? prevLines.map((l, i) => (i === round % rows ? l.replace(/[a-z]/, 'Q') : l)) : screen();
    const next = gridOf(nextLines, cols, styles);
    const d = diffGrids(front, next, styles);
    chunks.push(d.out);
    const want = Array.from({ length: rows }, (_, y) => next.rowText(y).trimEnd());
    assert.deepEqual(await replay(cols, rows, chunks), want, `round ${round}`);
    assert.deepEqual(Array.from(front.glyphs), Array.from(next.glyphs), 'the front grid now equals the next one');
    prevLines = nextLines;
  }
  assert.equal(diffGrids(front, gridOf(prevLines, cols, styles), styles).out, '', 'no change, no bytes');
});

test('styles: minimal SGR transitions, and styled strings parse into interned styles', () => {
  const t = new StyleTable();
  const bold = t.intern(1, '', '');
  const boldRed = t.intern(1, '31', '');
  const dim = t.intern(2, '', '');
  const tc = t.intern(0, '38;2;255;123;114', '');
  assert.equal(t.transition(0, bold), '\x1b[1m');
  assert.equal(t.transition(bold, boldRed), '\x1b[31m');
  assert.equal(t.transition(boldRed, bold), '\x1b[39m');
  assert.equal(t.transition(bold, dim), '\x1b[0;2m', 'a reset is shorter than 22;2');
  assert.equal(t.transition(tc, 0), '\x1b[0m');
  assert.equal(t.transition(bold, bold), '');
  const line = parseLine('\x1b[1;31mA\x1b[22mb\x1b]8;;http://x\x07c\x1b]8;;\x07日', t);
  assert.equal(line.width, 5);
  assert.equal(line.styles[0], boldRed);
  assert.equal(line.styles[1], t.intern(0, '31', ''));
  assert.equal(line.glyphs[4], 0, 'the second cell of a wide glyph');
});

test('diff: rows shifting inside panes and across the screen move with scroll regions, and replay to exactly the next screen', async () => {
  for (const [cols, rows, seed] of [
    [96, 18, 3],
    [200, 50, 11],
  ] as const) {
    const { styles, frames } = shiftingScreens(cols, rows, 32, seed);
    const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 0, convertEol: true });
    const write = (d: string) => new Promise<void>((r) => term.write(d, r));
    const front = new Grid(cols, rows);
    front.glyphs.set(frames[0]!.glyphs);
    front.styles.set(frames[0]!.styles);
    await write(diffGrids(null, frames[0]!, styles).out);
    let withScroll = 0;
    let without = 0;
    let scrolls = 0;
    for (let i = 1; i < frames.length; i++) {
      const next = frames[i]!;
      // The same step without scroll regions, on a copy, for the byte count.
      const copy = new Grid(cols, rows);
      copy.glyphs.set(front.glyphs);
      copy.styles.set(front.styles);
      without += Buffer.byteLength(diffGrids(copy, next, styles, { scroll: false }).out);
      const d = diffGrids(front, next, styles);
      withScroll += Buffer.byteLength(d.out);
      scrolls += d.scrolls;
      await write(d.out);
      const want = Array.from({ length: rows }, (_, y) => next.rowText(y).trimEnd());
      const got = screenText(term).map((l) => l.trimEnd());
      assert.deepEqual(got, want, `${cols}×${rows} step ${i}: the terminal shows the next screen`);
      // Attributes too: against a fresh terminal given the whole next screen.
      const fresh = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 0, convertEol: true });
      await new Promise<void>((r) => fresh.write(diffGrids(null, next, styles).out, r));
      assert.deepEqual(screenCells(term), screenCells(fresh), `${cols}×${rows} step ${i}: attributes`);
      fresh.dispose();
      assert.deepEqual(Array.from(front.glyphs), Array.from(next.glyphs), 'the front grid now equals the next one');
    }
    term.dispose();
    assert.ok(scrolls >= 8, `${cols}×${rows}: scroll regions used (${scrolls} moves)`);
    assert.ok(withScroll < without, `${cols}×${rows}: ${withScroll} B with scroll regions, ${without} B without`);
  }
});

test('diff: a list row inserted in the left pane of three side by side is one move when the other panes are blank there, none when they are not', () => {
  const styles = new StyleTable();
  const cols = 60;
  const mk = (left: string[], right: (y: number) => string) => {
    const lines = Array.from({ length: 10 }, (_, y) => `${(left[y] ?? '').padEnd(20)}│${right(y).padEnd(39)}`);
    return gridOf(lines, cols, styles);
  };
  const names = ['alpha-1 Running', 'bravo-2 Running', 'charlie-3 Running', 'delta-4 Running', 'echo-5 Running', 'foxtrot-6 Running'];
  const inserted = [...names.slice(0, 2), 'bravo-9 Pending', ...names.slice(2)];
  const blankRight = mk(names, () => '');
  const d = diffGrids(
    blankRight,
    mk(inserted, () => ''),
    styles,
  );
  assert.equal(d.scrolls, 1, JSON.stringify(d.out));
  assert.match(d.out, /^\x1b\[3;\d+r\x1b\[3H\x1b\[L\x1b\[r/, 'DECSTBM from the inserted row, IL, margins reset');
  const busyRight = mk(
    names,
    (y) =>
      [
        'Scheduled assigned shop/api to node-1',
        'Pulling image registry.example/api:1.4',
        'Started container api',
        'Killing container checkout now',
        'BackOff restarting failed container',
        'Created pod: worker-77ab',
        'SuccessfulCreate replica set scaled',
        'Unhealthy readiness probe failed',
        'Pulled image in 1.2s',
        'NodeReady node-3 is ready',
      ][y]!,
  );
  const e = diffGrids(
    busyRight,
    mk(
      inserted,
      (y) =>
        [
          'Scheduled assigned shop/api to node-1',
          'Pulling image registry.example/api:1.4',
          'Started container api',
          'Killing container checkout now',
          'BackOff restarting failed container',
          'Created pod: worker-77ab',
          'SuccessfulCreate replica set scaled',
          'Unhealthy readiness probe failed',
          'Pulled image in 1.2s',
          'NodeReady node-3 is ready',
        ][y]!,
    ),
    styles,
  );
  assert.equal(e.scrolls, 0, 'moving the whole row would cost more than the list rows');
  assert.equal(
    diffGrids(
      blankRight,
      mk(inserted, () => ''),
      styles,
      { scroll: false },
    ).scrolls,
    0,
  );
});
