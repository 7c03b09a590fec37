import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendLines, cleanLine, createViewer, effectiveTop, viewRows, viewerArea, viewerKey, viewerMessage, viewerStatus, type ViewerState } from '../../src/ui/viewer/viewer.js';
import { edit } from '../../src/ui/dialogs/dialogs.js';

const area = { width: 20, height: 5 };
const lines = (n: number, f = (i: number) => `line ${i}`) => Array.from({ length: n }, (_, i) => f(i));
const keys = (v: ViewerState, ...ks: string[]) =>
  ks.reduce((s, k) => {
    const r = viewerKey(s, k, area, edit);
    assert.ok(r && r !== 'close', `key ${k} is handled`);
    return r;
  }, v);
const shown = (v: ViewerState) => viewRows(v, area).map((r) => r.segments.map((s) => s.text).join(''));

test('j/k, PgDn/PgUp, g/G scroll and stop at the first and last page', () => {
  let v = createViewer('t', lines(30));
  v = keys(v, 'j', 'j', 'down');
  assert.equal(shown(v)[0], 'line 3');
  v = keys(v, 'k', 'up');
  assert.equal(shown(v)[0], 'line 1');
  v = keys(v, 'pagedown');
  assert.equal(shown(v)[0], 'line 5');
  v = keys(v, 'G');
  assert.deepEqual(shown(v), ['line 25', 'line 26', 'line 27', 'line 28', 'line 29']);
  v = keys(v, 'j', 'pagedown');
  assert.equal(shown(v).at(-1), 'line 29', 'never past the last line');
  v = keys(v, 'g', 'k');
  assert.equal(shown(v)[0], 'line 0');
  assert.match(viewerStatus(v, area), /lines 1–5 of 30/);
  assert.equal(viewerKey(v, 'escape', area, edit), 'close');
  assert.equal(viewerKey(v, 'x', area, edit), undefined, 'a key the viewer does not use is left to the caller');
});

test('/ searches by regular expression; n/N step through the matches with their count; the view follows the match', () => {
  let v = createViewer(
    't',
    lines(40, (i) => (i % 10 === 7 ? `ERROR code=${i}` : `ok ${i}`)),
  );
  v = keys(v, '/', ...'err.*=\\d+'.split(''), 'enter');
  assert.equal(v.search?.matches.length, 4);
  assert.match(viewerStatus(v, area), /1\/4/);
  const row = viewRows(v, area).find((r) => r.line === 7)!;
  assert.deepEqual(
    row.segments.map((s) => [s.text, s.mark]),
    [['ERROR code=7', 'current']],
    'the whole match is marked as the current one',
  );
  v = keys(v, 'n', 'n');
  assert.match(viewerStatus(v, area), /3\/4/);
  assert.ok(shown(v).includes('ERROR code=27'), 'the third match is on screen');
  v = keys(v, 'n', 'n');
  assert.match(viewerStatus(v, area), /1\/4/, 'n wraps around');
  v = keys(v, 'N');
  assert.match(viewerStatus(v, area), /4\/4/, 'N goes back around');
  assert.ok(shown(v).includes('ERROR code=37'));
});

test('an invalid regular expression is searched as plain text, and says so', () => {
  let v = createViewer('t', ['a (b', 'c', 'x (b y']);
  v = keys(v, '/', '(', 'b', 'enter');
  assert.equal(v.search?.regex, false);
  assert.equal(v.search?.matches.length, 2);
  assert.match(viewerStatus(v, area), /1\/2 \(not a regex: plain text\)/);
  v = keys(v, '/', 'z', 'z', 'enter');
  assert.match(viewerStatus(v, area), /\/zz: no match/);
  v = keys(v, '/', 'q', 'escape');
  assert.equal(v.typing, null, 'Esc while typing only cancels the search being typed');
  assert.equal(v.search?.pattern, 'zz');
  v = keys(v, '/', 'x', '*', 'enter');
  assert.equal(v.search?.matches.length, 1, 'empty matches are skipped, and the scan ends');
});

test('w wraps long lines; off, they are cut and scroll sideways to a match', () => {
  const long = 'abcdefghij'.repeat(5);
  let v = createViewer('t', ['short', long, 'tail']);
  assert.deepEqual(shown(v), ['short', long.slice(0, 20), 'tail']);
  v = keys(v, 'right');
  assert.equal(shown(v)[1], long.slice(5, 25));
  v = keys(v, 'w');
  assert.deepEqual(shown(v), ['short', long.slice(0, 20), long.slice(20, 40), long.slice(40), 'tail']);
  v = keys(v, 'w', '/', 'j', 'a', 'b', 'c', 'enter', 'n', 'n', 'n', 'n');
  const m = v.search!.matches[v.search!.current]!;
  assert.ok(m.start >= v.left && m.end <= v.left + area.width, 'the current match is scrolled into view');
});

test('appended lines keep a view at the bottom pinned there, and leave a scrolled-up view alone', () => {
  let v = keys(createViewer('t', lines(10)), 'G');
  v = appendLines(v, ['new 1', 'new 2']);
  assert.equal(shown(v).at(-1), 'new 2');
  v = keys(v, 'k');
  const before = shown(v);
  v = appendLines(v, ['new 3']);
  assert.deepEqual(shown(v), before, 'scrolled up: the screen stays put');
  v = keys(v, 'G');
  v = appendLines(
    v,
    lines(3, (i) => `more ${i}`),
    8,
  );
  assert.equal(v.lines.length, 8, 'the oldest lines are dropped past the cap');
  assert.equal(shown(v).at(-1), 'more 2');
  assert.equal(effectiveTop(v, area), 3);
});

test('a search keeps counting matches in appended lines', () => {
  let v = keys(createViewer('t', ['boom', 'ok']), '/', 'b', 'o', 'o', 'm', 'enter');
  v = appendLines(v, ['ok', 'boom again']);
  assert.equal(v.search?.matches.length, 2);
  assert.match(viewerStatus(v, area), /1\/2/);
  v = appendLines(v, ['x', 'y', 'z'], 4);
  assert.equal(v.search?.matches.length, 1, 'a dropped line takes its match with it');
  assert.equal(v.search?.matches[0]?.line, 0);
});

test('control sequences cannot reach the terminal; tabs become spaces', () => {
  assert.equal(cleanLine('\x1b[31mred\x1b[0m\tx\x07'), 'red     x ');
  assert.equal(cleanLine('\x1b]0;title\x07ok'), 'ok');
  assert.equal(cleanLine('a\u009b31mb'), 'a 31mb', 'a C1 control (8-bit CSI) is not passed on either');
});

test('a search from the end of a tailed view shows the nearest match above, and holds it there while lines arrive', () => {
  let v = keys(
    createViewer(
      't',
      lines(30, (i) => (i === 4 || i === 12 ? `ERROR ${i}` : `ok ${i}`)),
      { pinned: true },
    ),
    '/',
    ...'error'.split(''),
    'enter',
  );
  assert.match(viewerStatus(v, area), /2\/2/, 'the newest match, not the oldest');
  assert.ok(shown(v).includes('ERROR 12'), shown(v).join('|'));
  assert.equal(v.pinned, false);
  const held = shown(v);
  v = appendLines(v, ['new 1', 'new 2']);
  assert.deepEqual(shown(v), held, 'the match stays on screen as lines are appended');
  v = keys(v, 'N');
  assert.ok(shown(v).includes('ERROR 4'));
  v = keys(v, 'G');
  v = appendLines(v, ['new 3']);
  assert.equal(shown(v).at(-1), 'new 3', 'G: tailing again');
});

test('a long message on the status line wraps whole and takes its rows from the text', () => {
  const v = createViewer('t', lines(3), { status: { text: 'forbidden: '.repeat(10).trim(), level: 'error' } });
  assert.equal(viewerArea(40, 20).height, 16);
  assert.equal(viewerMessage(v, viewerArea(40, 20).width).length, 4);
  assert.equal(viewerArea(40, 20, v).height, 13, 'three more rows for the message');
  assert.equal(viewerArea(40, 20, v, 2).height, 11, "and the embedding view's own rows");
});

test('a search from the end of a view starts at the newest match on screen, not the first one on screen', () => {
  let v = createViewer(
    't',
    lines(30, (i) => (i % 2 ? `orders ${i}` : `line ${i}`)),
  );
  v = keys(v, 'G');
  v = keys(v, '/', 'o', 'r', 'd', 'e', 'r', 's', 'enter');
  assert.equal(v.search?.matches[v.search.current]?.line, 29, 'the newest match');
  assert.match(viewerStatus(v, area), /\/orders 15\/15/);
  v = keys(v, 'N');
  assert.equal(v.search?.matches[v.search.current]?.line, 27, 'N goes to the older one');
  // From the top the first match at or below the top is shown, as before.
  v = keys(
    createViewer(
      't',
      lines(30, (i) => (i % 2 ? `orders ${i}` : `line ${i}`)),
    ),
    '/',
    'o',
    'r',
    'd',
    'e',
    'r',
    's',
    'enter',
  );
  assert.equal(v.search?.matches[v.search.current]?.line, 1);
});
