// Paints Ink's laid-out DOM into a cell grid: Ink's render-node-to-output step, done on cells.
// It follows Ink 8's rules (squashed text nodes with their transforms, wrap/truncate when wider
// than the box, borders, backgrounds, overflow clipping) and measures text with the same
// string-width, wrap-ansi and cli-truncate that Ink's layout uses, so Yoga's sizes fit.
import chalk, { foregroundColorNames } from 'chalk';
import cliBoxes from 'cli-boxes';
import cliTruncate from 'cli-truncate';
import wrapAnsi from 'wrap-ansi';
import type { DOMElement } from 'ink';
import { NO_CLIP, type Clip, type Grid, type LineCache } from './cells.js';

type Transform = (line: string, index: number) => string;

/** The parts of Ink's DOM node this painter reads (ink/build/dom.d.ts). */
export interface InkNode {
  nodeName: string;
  nodeValue?: string;
  childNodes: InkNode[];
  style: DOMElement['style'];
  yogaNode?: YogaLike;
  internal_transform?: Transform;
  internal_static?: boolean;
  isHidden?: boolean;
  parentNode?: InkNode;
}

interface YogaLike {
  getDisplay(): number;
  getComputedLeft(): number;
  getComputedTop(): number;
  getComputedWidth(): number;
  getComputedHeight(): number;
  getComputedPadding(edge: number): number;
  getComputedBorder(edge: number): number;
}

// yoga-layout's enum values (stable across its releases).
const DISPLAY_NONE = 1;
const EDGE_LEFT = 0;
const EDGE_TOP = 1;
const EDGE_RIGHT = 2;
const EDGE_BOTTOM = 3;

export class TreePainter {
  private wrapCache = new Map<string, string>();
  private previousWrapCache = new Map<string, string>();

  constructor(private readonly lines: LineCache) {}

  paint(root: InkNode, grid: Grid): void {
    grid.clear();
    this.node(root, grid, 0, 0, [], NO_CLIP);
    this.lines.endFrame();
    this.previousWrapCache = this.wrapCache;
    this.wrapCache = new Map();
  }

  private node(node: InkNode, grid: Grid, offsetX: number, offsetY: number, transforms: Transform[], clip: Clip): void {
    if (node.internal_static) return;
    const yoga = node.yogaNode;
    if (!yoga || yoga.getDisplay() === DISPLAY_NONE) return;
    const x = offsetX + yoga.getComputedLeft();
    const y = offsetY + yoga.getComputedTop();
    const own = typeof node.internal_transform === 'function' ? [node.internal_transform, ...transforms] : transforms;

    if (node.nodeName === 'ink-text') {
      let text = squash(node);
      if (text.length === 0) return;
      const maxWidth =
        yoga.getComputedWidth() - yoga.getComputedPadding(EDGE_LEFT) - yoga.getComputedPadding(EDGE_RIGHT) - yoga.getComputedBorder(EDGE_LEFT) - yoga.getComputedBorder(EDGE_RIGHT);
      if (this.widest(text) > maxWidth) text = this.wrap(text, maxWidth, node.style.textWrap ?? 'wrap');
      this.write(grid, x, y, text, own, clip);
      return;
    }
    if (node.nodeName !== 'ink-box' && node.nodeName !== 'ink-root') return;
    let inner = clip;
    if (node.nodeName === 'ink-box') {
      this.background(grid, x, y, node, clip);
      this.border(grid, x, y, node, clip);
      const clipX = (node.style.overflowX ?? node.style.overflow) === 'hidden';
      const clipY = (node.style.overflowY ?? node.style.overflow) === 'hidden';
      if (clipX || clipY) {
        inner = {
          x1: clipX ? Math.max(clip.x1, x + yoga.getComputedBorder(EDGE_LEFT)) : clip.x1,
          x2: clipX ? Math.min(clip.x2, x + yoga.getComputedWidth() - yoga.getComputedBorder(EDGE_RIGHT)) : clip.x2,
          y1: clipY ? Math.max(clip.y1, y + yoga.getComputedBorder(EDGE_TOP)) : clip.y1,
          y2: clipY ? Math.min(clip.y2, y + yoga.getComputedHeight() - yoga.getComputedBorder(EDGE_BOTTOM)) : clip.y2,
        };
        if (inner.x1 >= inner.x2 || inner.y1 >= inner.y2) return;
      }
    }
    const cx = x - offset(node.style.contentOffsetX);
    const cy = y - offset(node.style.contentOffsetY);
    for (const child of node.childNodes) this.node(child, grid, cx, cy, own, inner);
  }

  /** One write: each line transformed (Text's colours), parsed (cached) and copied into the grid. */
  private write(grid: Grid, x: number, y: number, text: string, transforms: Transform[], clip: Clip): void {
    const lines = text.includes('\n') ? splitLines(text) : [text];
    for (let i = 0; i < lines.length; i++) {
      if (y + i < clip.y1 || y + i >= clip.y2) continue;
      let line = lines[i]!;
      for (const t of transforms) line = t(line, i);
      grid.blit(this.lines.get(line), x, y + i, clip);
    }
  }

  private widest(text: string): number {
    if (!text.includes('\n')) return this.lines.get(text).width;
    let w = 0;
    for (const l of text.split('\n')) w = Math.max(w, this.lines.get(l).width);
    return w;
  }

  private wrap(text: string, maxWidth: number, mode: string): string {
    if (maxWidth <= 0 && (mode === 'wrap' || mode === 'hard')) return text;
    if (maxWidth > 0 && maxWidth < 1) maxWidth = 1;
    const key = `${maxWidth}\0${mode}\0${text}`;
    let out = this.wrapCache.get(key) ?? this.previousWrapCache.get(key);
    if (out === undefined) {
      if (mode === 'wrap') out = wrapAnsi(text, maxWidth, { trim: false, hard: true });
      else if (mode === 'hard') out = wrapAnsi(text, maxWidth, { trim: false, hard: true, wordWrap: false });
      else if (mode.startsWith('truncate')) {
        const position = mode === 'truncate-middle' ? 'middle' : mode === 'truncate-start' ? 'start' : 'end';
        out = splitLines(text)
          .map((l) => cliTruncate(l, maxWidth, { position }))
          .join('\n');
      } else out = text;
    }
    this.wrapCache.set(key, out);
    return out;
  }

  private background(grid: Grid, x: number, y: number, node: InkNode, clip: Clip): void {
    if (!node.style.backgroundColor) return;
    const yoga = node.yogaNode!;
    const border = Boolean(node.style.borderStyle);
    const l = border && node.style.borderLeft !== false ? 1 : 0;
    const r = border && node.style.borderRight !== false ? 1 : 0;
    const t = border && node.style.borderTop !== false ? 1 : 0;
    const b = border && node.style.borderBottom !== false ? 1 : 0;
    const w = yoga.getComputedWidth() - l - r;
    const h = yoga.getComputedHeight() - t - b;
    if (!(w > 0 && h > 0)) return;
    const line = this.lines.get(colorize(' '.repeat(w), node.style.backgroundColor, 'background'));
    for (let row = 0; row < h; row++) grid.blit(line, x + l, y + t + row, clip);
  }

  private border(grid: Grid, x: number, y: number, node: InkNode, clip: Clip): void {
    const s = node.style;
    if (!s.borderStyle) return;
    const yoga = node.yogaNode!;
    const width = yoga.getComputedWidth();
    const height = yoga.getComputedHeight();
    const box = typeof s.borderStyle === 'string' ? (cliBoxes as unknown as Record<string, typeof cliBoxes.single>)[s.borderStyle] : s.borderStyle;
    if (!box) return;
    const piece = (text: string, side: 'Top' | 'Bottom' | 'Left' | 'Right') =>
      stylePiece(text, s[`border${side}Color`] ?? s.borderColor, s[`border${side}BackgroundColor`] ?? s.borderBackgroundColor, s[`border${side}DimColor`] ?? s.borderDimColor);
    const top = s.borderTop !== false;
    const bottom = s.borderBottom !== false;
    const left = s.borderLeft !== false;
    const right = s.borderRight !== false;
    const contentWidth = width - (left ? 1 : 0) - (right ? 1 : 0);
    const vertical = height - (top ? 1 : 0) - (bottom ? 1 : 0);
    if (top) this.write(grid, x, y, piece((left ? box.topLeft : '') + box.top.repeat(Math.max(0, contentWidth)) + (right ? box.topRight : ''), 'Top'), [], clip);
    const y0 = y + (top ? 1 : 0);
    if (left && vertical > 0) {
      const line = this.lines.get(piece(box.left, 'Left'));
      for (let i = 0; i < vertical; i++) if (y0 + i >= clip.y1 && y0 + i < clip.y2) grid.blit(line, x, y0 + i, clip);
    }
    if (right && vertical > 0) {
      const line = this.lines.get(piece(box.right, 'Right'));
      for (let i = 0; i < vertical; i++) if (y0 + i >= clip.y1 && y0 + i < clip.y2) grid.blit(line, x + width - 1, y0 + i, clip);
    }
    if (bottom)
      this.write(grid, x, y + height - 1, piece((left ? box.bottomLeft : '') + box.bottom.repeat(Math.max(0, contentWidth)) + (right ? box.bottomRight : ''), 'Bottom'), [], clip);
  }
}

const offset = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);

/** Ink's squashTextNodes: the text of a Text and its nested Texts, each with its own transform. */
function squash(node: InkNode): string {
  let text = '';
  for (const child of node.childNodes) {
    let t = '';
    if (child.nodeName === '#text') t = child.nodeValue ?? '';
    else {
      if (child.isHidden) continue;
      if (child.nodeName === 'ink-text' || child.nodeName === 'ink-virtual-text') t = squash(child);
      if (t.length > 0 && typeof child.internal_transform === 'function') {
        const transform = child.internal_transform;
        t = t.includes('\n')
          ? t
              .split('\n')
              .map((l, i) => transform(l, i))
              .join('\n')
          : transform(t, 0);
      }
    }
    text += t;
  }
  if (text.includes('\r')) text = text.replaceAll('\r\n', '\n');
  if (node.nodeName === 'ink-text' && text.includes('\t')) text = wrapAnsi(text, Infinity, { trim: false });
  return text;
}

/** Splits text into lines, reopening at the start of a line the SGR state the previous one left open. */
function splitLines(text: string): string[] {
  const raw = text.split('\n');
  const out: string[] = [];
  let open = '';
  for (const line of raw) {
    out.push(open + line);
    const last = line.lastIndexOf('\x1b[');
    if (last < 0) continue;
    // The state at the end of the line: every SGR since its last reset.
    const sgr = [...(open + line).matchAll(/\x1b\[([0-9;:]*)m/g)];
    let from = 0;
    for (const [i, m] of sgr.entries()) if (m[1] === '' || m[1] === '0') from = i + 1;
    open = sgr
      .slice(from)
      .map((m) => m[0])
      .join('');
  }
  return out;
}

function stylePiece(text: string, fg: string | undefined, bg: string | undefined, dim: boolean | undefined): string {
  let out = colorize(text, fg, 'foreground');
  out = colorize(out, bg, 'background');
  return dim ? chalk.dim(out) : out;
}

/** Ink's colorize: named, #hex, ansi256(n) and rgb(r, g, b) colours through chalk. */
function colorize(text: string, color: string | undefined, type: 'foreground' | 'background'): string {
  if (!color) return text;
  const c = chalk as unknown as Record<string, (t: string) => string>;
  if ((foregroundColorNames as readonly string[]).includes(color)) return type === 'foreground' ? c[color]!(text) : c[`bg${color.charAt(0).toUpperCase()}${color.slice(1)}`]!(text);
  if (color.startsWith('#')) return type === 'foreground' ? chalk.hex(color)(text) : chalk.bgHex(color)(text);
  const a = /^ansi256\(\s?(\d+)\s?\)$/.exec(color);
  if (a) return type === 'foreground' ? chalk.ansi256(Number(a[1]))(text) : chalk.bgAnsi256(Number(a[1]))(text);
  const m = /^rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(color);
  if (m) return type === 'foreground' ? chalk.rgb(+m[1]!, +m[2]!, +m[3]!)(text) : chalk.bgRgb(+m[1]!, +m[2]!, +m[3]!)(text);
  return text;
}
