// The text viewer: a pure model of long text on screen (describe, YAML, logs, alert details).
// Scrolls by line and page, searches by regular expression (plain text when the pattern is not
// one), wraps or scrolls sideways, and stays pinned to the bottom while lines are appended.
// Every function returns a new state; the view (ViewerView.tsx) only draws what `viewRows` gives.
import type { ThemeToken } from '../theme/tokens.js';
import { wrapRow } from '../wrap-row.js';

export interface ViewerMatch {
  line: number;
  start: number;
  end: number;
}

export interface ViewerSearch {
  pattern: string;
  /** False when the pattern was not a valid regular expression and was searched as plain text. */
  regex: boolean;
  matches: ViewerMatch[];
  /** Index of the highlighted match, -1 when there is none. */
  current: number;
}

export interface ViewerState {
  title: string;
  lines: string[];
  /** First line shown (while not pinned). */
  top: number;
  /** First column shown when lines are cut (wrap off). */
  left: number;
  wrap: boolean;
  /** Showing the last line: appended lines keep the view at the bottom. */
  pinned: boolean;
  search: ViewerSearch | null;
  /** The search pattern being typed after `/`, or null. */
  typing: string | null;
  /** A message inside the view (loading, an error), shown on its status line. */
  status: { text: string; level: 'info' | 'warn' | 'error' } | null;
}

/** A line of a viewer's own around the text (the logs view's keys and error summary). */
export interface ViewerNote {
  text: string;
  token: ThemeToken;
}

/** The room for text inside the overlay: a frame, a title line and a status line. */
export interface ViewerArea {
  width: number;
  height: number;
}

/**
 * The text area of a viewer drawn in a box `width`×`height`: less the frame, its padding, the title,
 * the status line (more rows when its message wraps) and `chrome` rows of the view's own.
 */
export function viewerArea(width: number, height: number, v?: ViewerState | null, chrome = 0): ViewerArea {
  const inner = Math.max(10, width - 4);
  const message = v ? Math.max(1, viewerMessage(v, inner).length) : 1;
  return { width: inner, height: Math.max(1, height - 3 - message - chrome) };
}

/** The message (loading, an error) as the rows it takes, shown whole; none while a search is typed. */
export function viewerMessage(v: ViewerState, width: number): string[] {
  return v.status && v.typing === null ? wrapRow(v.status.text, width) : [];
}

/** Cap on highlighted matches, so a pattern like `.` on a long log stays instant. */
export const MAX_MATCHES = 10_000;

export function createViewer(title: string, lines: string[], opts: { wrap?: boolean; pinned?: boolean; status?: ViewerState['status'] } = {}): ViewerState {
  return { title, lines: lines.map(cleanLine), top: 0, left: 0, wrap: opts.wrap ?? false, pinned: opts.pinned ?? false, search: null, typing: null, status: opts.status ?? null };
}

/** Tabs expanded and terminal control sequences removed, so a line cannot move the cursor or recolour the screen. */
export function cleanLine(line: string): string {
  const plain = line.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b[@-_]/g, '').replace(/\r$/, '');
  if (!/[\t\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(plain)) return plain;
  let out = '';
  for (const ch of plain) {
    if (ch === '\t') out += ' '.repeat(8 - (out.length % 8));
    // C1 controls too: some terminals take U+009B as the start of an escape sequence.
    else if (/[\x00-\x1f\x7f-\x9f]/.test(ch)) out += ' ';
    else out += ch;
  }
  return out;
}

/** New content (a refreshed describe); position, wrap and the search pattern are kept. */
export function setLines<T extends ViewerState>(v: T, lines: string[], status: ViewerState['status'] = null): T {
  const next = { ...v, lines: lines.map(cleanLine), status };
  return { ...next, top: Math.min(v.top, Math.max(0, next.lines.length - 1)), search: v.search ? research(next, v.search.pattern) : null };
}

/**
 * Lines added at the end (a followed log). A pinned view stays at the bottom; otherwise what is on
 * screen stays put. With `max`, the oldest lines are dropped to keep at most `max`.
 */
export function appendLines<T extends ViewerState>(v: T, added: string[], max?: number): T {
  if (!added.length) return v;
  const clean = added.map(cleanLine);
  let lines = v.lines.concat(clean);
  const drop = max !== undefined && lines.length > max ? lines.length - max : 0;
  if (drop) lines = lines.slice(drop);
  let search = v.search;
  if (search) {
    const kept = drop ? search.matches.filter((m) => m.line >= drop).map((m) => ({ ...m, line: m.line - drop })) : search.matches;
    const fresh = findMatches(clean, search.pattern, lines.length - clean.length, MAX_MATCHES - kept.length).matches;
    const lost = search.matches.length - kept.length;
    const matches = kept.concat(fresh);
    // The highlighted match keeps its place; when it was dropped, the oldest left takes over.
    const current = search.current < 0 ? -1 : matches.length ? Math.max(0, search.current - lost) : -1;
    search = { ...search, matches, current };
  }
  return { ...v, lines, top: Math.max(0, v.top - drop), search };
}

/** The first line shown: from the end while pinned, never past the last page. */
export function effectiveTop(v: ViewerState, area: ViewerArea): number {
  const bottom = bottomTop(v, area);
  return v.pinned ? bottom : Math.min(v.top, bottom);
}

/** The top line that shows the last line at the bottom of the area. */
export function bottomTop(v: ViewerState, area: ViewerArea): number {
  if (!v.wrap) return Math.max(0, v.lines.length - area.height);
  let used = 0;
  for (let i = v.lines.length - 1; i >= 0; i--) {
    used += rowsOf(v.lines[i]!, area.width);
    if (used > area.height) return i + 1;
  }
  return 0;
}

function rowsOf(line: string, width: number): number {
  return Math.max(1, Math.ceil(line.length / width));
}

export interface ViewSegment {
  text: string;
  mark?: 'match' | 'current';
}
export interface ViewRow {
  line: number;
  segments: ViewSegment[];
}

/** What is on screen: one row per terminal line, with matches marked. */
export function viewRows(v: ViewerState, area: ViewerArea): ViewRow[] {
  const rows: ViewRow[] = [];
  const top = effectiveTop(v, area);
  const byLine = new Map<number, { m: ViewerMatch; current: boolean }[]>();
  if (v.search) {
    v.search.matches.forEach((m, i) => {
      if (m.line < top || m.line > top + area.height) return;
      const list = byLine.get(m.line) ?? [];
      list.push({ m, current: i === v.search!.current });
      byLine.set(m.line, list);
    });
  }
  for (let i = top; i < v.lines.length && rows.length < area.height; i++) {
    const line = v.lines[i]!;
    const marks = byLine.get(i) ?? [];
    if (v.wrap) {
      for (let from = 0; (from < line.length || from === 0) && rows.length < area.height; from += area.width)
        rows.push({ line: i, segments: segment(line, from, from + area.width, marks) });
    } else rows.push({ line: i, segments: segment(line, v.left, v.left + area.width, marks) });
  }
  return rows;
}

function segment(line: string, from: number, to: number, marks: { m: ViewerMatch; current: boolean }[]): ViewSegment[] {
  const out: ViewSegment[] = [];
  let at = from;
  for (const { m, current } of marks) {
    const s = Math.max(m.start, at);
    const e = Math.min(m.end, to);
    if (e <= s) continue;
    if (s > at) out.push({ text: line.slice(at, s) });
    out.push({ text: line.slice(s, e), mark: current ? 'current' : 'match' });
    at = e;
  }
  if (at < to) {
    const rest = line.slice(at, to);
    if (rest || !out.length) out.push({ text: rest });
  }
  return out;
}

/** Compiles a search: a case-insensitive regular expression, or the same text literally when it is not one. */
export function compileSearch(pattern: string): { re: RegExp; regex: boolean } {
  try {
    return { re: new RegExp(pattern, 'gi'), regex: true };
  } catch {
    return { re: new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), regex: false };
  }
}

function findMatches(lines: string[], pattern: string, offset = 0, cap = MAX_MATCHES): { matches: ViewerMatch[]; regex: boolean } {
  const { re, regex } = compileSearch(pattern);
  const matches: ViewerMatch[] = [];
  for (let i = 0; i < lines.length && matches.length < cap; i++) {
    const line = lines[i]!;
    re.lastIndex = 0;
    for (let m = re.exec(line); m && matches.length < cap; m = re.exec(line)) {
      // An empty match (`x*`) marks nothing; step past it so the scan ends.
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      matches.push({ line: i + offset, start: m.index, end: m.index + m[0].length });
    }
  }
  return { matches, regex };
}

function research(v: ViewerState, pattern: string): ViewerSearch {
  const { matches, regex } = findMatches(v.lines, pattern);
  return { pattern, regex, matches, current: -1 };
}

/**
 * Runs a search and shows its first match at or after the top of the view, else the nearest one
 * above it. A view read at its end (a followed log) starts from the newest match on or above
 * its last line, as `less +G` then `?` does.
 */
export function search<T extends ViewerState>(v: T, pattern: string, area: ViewerArea): T {
  if (!pattern) return { ...v, search: null, typing: null };
  const s = research(v, pattern);
  const top = effectiveTop(v, area);
  const lastShown = viewRows(v, area).at(-1)?.line ?? top;
  // Scrolled to the end (a text that fits on one screen starts from its top).
  const atEnd = top > 0 && lastShown >= v.lines.length - 1;
  const first = s.matches.findIndex((m) => m.line >= top);
  const newest = s.matches.findLastIndex((m) => m.line <= lastShown);
  const current = atEnd && newest >= 0 ? newest : first < 0 ? s.matches.length - 1 : first;
  return reveal({ ...v, typing: null, search: { ...s, current } }, area);
}

/** The next (1) or previous (-1) match, around the end. */
export function nextMatch<T extends ViewerState>(v: T, dir: 1 | -1, area: ViewerArea): T {
  const s = v.search;
  if (!s || !s.matches.length) return v;
  const n = s.matches.length;
  const current = s.current < 0 ? (dir > 0 ? 0 : n - 1) : (s.current + dir + n) % n;
  return reveal({ ...v, search: { ...s, current } }, area);
}

/** Scrolls so the current match is on screen (and, when cut, its columns too). */
function reveal<T extends ViewerState>(v: T, area: ViewerArea): T {
  const m = v.search && v.search.current >= 0 ? v.search.matches[v.search.current] : undefined;
  if (!m) return v;
  let next: T = v;
  const top = effectiveTop(v, area);
  const shown = viewRows(v, area);
  const visible = shown.some((r) => r.line === m.line) && (!v.wrap || rowVisible(v, m, area, shown));
  if (!visible) next = { ...next, top: Math.max(0, Math.min(m.line - Math.floor(area.height / 3), m.line)), pinned: false };
  else if (v.pinned) next = { ...next, top, pinned: false };
  if (!v.wrap && (m.start < v.left || m.end > v.left + area.width)) next = { ...next, left: Math.max(0, m.start - Math.floor(area.width / 4)) };
  return next;
}

function rowVisible(v: ViewerState, m: ViewerMatch, area: ViewerArea, shown: ViewRow[]): boolean {
  const row = Math.floor(m.start / area.width);
  return shown.filter((r) => r.line === m.line).length > row;
}

/** Scrolls by `delta` lines, or to the top or bottom; reaching the bottom pins the view there. */
export function scroll<T extends ViewerState>(v: T, delta: number | 'top' | 'bottom', area: ViewerArea): T {
  const bottom = bottomTop(v, area);
  if (delta === 'bottom') return { ...v, top: bottom, pinned: true };
  if (delta === 'top') return { ...v, top: 0, pinned: false };
  const top = Math.max(0, Math.min(bottom, effectiveTop(v, area) + delta));
  return { ...v, top, pinned: top >= bottom && (delta > 0 || v.pinned) };
}

/** Sideways by `delta` columns while lines are cut; never past the longest shown line. */
export function scrollSideways<T extends ViewerState>(v: T, delta: number, area: ViewerArea): T {
  if (v.wrap) return v;
  const widest = viewRowsWidest(v, area);
  return { ...v, left: Math.max(0, Math.min(Math.max(0, widest - Math.floor(area.width / 2)), v.left + delta)) };
}

function viewRowsWidest(v: ViewerState, area: ViewerArea): number {
  const top = effectiveTop(v, area);
  let widest = 0;
  for (let i = top; i < Math.min(v.lines.length, top + area.height); i++) widest = Math.max(widest, v.lines[i]!.length);
  return widest;
}

export function toggleWrap<T extends ViewerState>(v: T, area: ViewerArea): T {
  const top = effectiveTop(v, area);
  return { ...v, wrap: !v.wrap, left: 0, top, pinned: v.pinned };
}

/**
 * The viewer's own keys. Returns the new state, 'close', or undefined for a key it does not use
 * (so a viewer built on this one, such as the logs view, can give it a meaning).
 */
export function viewerKey<T extends ViewerState>(v: T, key: string, area: ViewerArea, edit: (value: string, key: string) => string): T | 'close' | undefined {
  if (v.typing !== null) {
    if (key === 'enter') return search(v, v.typing, area);
    if (key === 'escape') return { ...v, typing: null };
    return { ...v, typing: edit(v.typing, key) };
  }
  const page = Math.max(1, area.height - 1);
  switch (key) {
    case 'escape':
    case 'q':
      return 'close';
    case '?':
      // Help for the view on top, in its status line: the cockpit's help would cover the text.
      return { ...v, status: { text: `Keys: ${viewerHints(v)}`, level: 'info' } };
    case 'j':
    case 'down':
      return scroll(v, 1, area);
    case 'k':
    case 'up':
      return scroll(v, -1, area);
    case 'pagedown':
    case 'space':
    case 'ctrl+f':
      return scroll(v, page, area);
    case 'pageup':
    case 'ctrl+b':
      return scroll(v, -page, area);
    case 'g':
    case 'home':
      return scroll(v, 'top', area);
    case 'G':
    case 'end':
      return scroll(v, 'bottom', area);
    case 'left':
      return scrollSideways(v, -Math.max(1, Math.floor(area.width / 4)), area);
    case 'right':
      return scrollSideways(v, Math.max(1, Math.floor(area.width / 4)), area);
    case 'w':
      return toggleWrap(v, area);
    case '/':
      return { ...v, typing: '' };
    case 'n':
      return nextMatch(v, 1, area);
    case 'N':
      return nextMatch(v, -1, area);
    default:
      return undefined;
  }
}

/** The status line: where the view is, the search and its position, or the message. */
export function viewerStatus(v: ViewerState, area: ViewerArea): string {
  if (v.typing !== null) return `/${v.typing}`;
  const top = effectiveTop(v, area);
  const rows = viewRows(v, area);
  const last = rows.length ? rows[rows.length - 1]!.line + 1 : 0;
  const parts = [v.lines.length ? `lines ${top + 1}–${last} of ${v.lines.length}` : 'no lines'];
  if (v.search) {
    const s = v.search;
    const capped = s.matches.length >= MAX_MATCHES ? '+' : '';
    parts.push(
      s.matches.length
        ? `/${s.pattern} ${s.current + 1}/${s.matches.length}${capped}${s.regex ? '' : ' (not a regex: plain text)'}`
        : `/${s.pattern}: no match${s.regex ? '' : ' (not a regex: plain text)'}`,
    );
  }
  if (!v.wrap && v.left) parts.push(`col ${v.left + 1}`);
  return parts.join(' · ');
}

export function viewerHints(v: ViewerState): string {
  if (v.typing !== null) return 'regular expression (plain text if invalid) · Enter search · Esc cancel';
  return `j/k PgUp/PgDn g/G${v.wrap ? '' : ' ←/→'} · / search · n/N match · w wrap ${v.wrap ? 'off' : 'on'} · Esc close`;
}
