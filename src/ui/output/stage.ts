// The cell-level output stage: Ink stays the React host (reconciler, Yoga layout, input, window
// size), but its frames are painted into a packed cell grid, diffed against what the terminal
// shows, and only the changed cells are written, inside a synchronized update where supported.
//
// This is the one place that reaches into Ink. It relies on three Ink 8 internals, all checked at
// mount (a mismatch falls back to Ink's own output, never a broken screen):
//   - the root DOM node (`ink-root`, reached through a Box ref's parentNode) calls
//     `rootNode.onRender()` / `rootNode.onImmediateRender()` after each React commit and layout;
//     the stage replaces both, so Ink's own output step (output.js, log-update) never runs for a
//     commit;
//   - DOM nodes carry `nodeName`, `childNodes`, `style`, `yogaNode`, `internal_transform`
//     (see paint-tree.ts, which mirrors render-node-to-output.js);
//   - Ink writes only to the stdout it is given, so it gets a muted stand-in (size and resize
//     events of the real terminal) and whatever it still draws (after a resize, at unmount) goes
//     nowhere.
// On an Ink upgrade: diff ink/build/render-node-to-output.js, squash-text-nodes.js,
// render-border.js and wrap-text.js against paint-tree.ts, and run test/ui/cell-output.test.tsx,
// which compares this stage's screen with Ink's own, cell by cell.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Grid, LineCache, StyleTable } from './cells.js';
import { diffGrids } from './diff.js';
import { TreePainter, type InkNode } from './paint-tree.js';
import { frameProbe } from './probe.js';

const BSU = '\x1b[?2026h';
const ESU = '\x1b[?2026l';
const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

/** Terminals known not to understand synchronized updates (they would at best ignore the brackets). */
export function supportsSynchronizedUpdate(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.WARROOM_SYNC_UPDATE === '0') return false;
  if (env.WARROOM_SYNC_UPDATE === '1') return true;
  const term = env.TERM ?? '';
  return !/^(linux|dumb|vt\d+|cons\d+)/.test(term);
}

/**
 * Scroll regions (DECSTBM with IL/DL, VT102) move shifted rows; every terminal warroom runs in has
 * them (xterm and its kin, tmux, GNU screen, the Linux console) except a dumb one.
 */
export function supportsScrollRegions(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.WARROOM_SCROLL_REGIONS === '0') return false;
  if (env.WARROOM_SCROLL_REGIONS === '1') return true;
  return !/^dumb/.test(env.TERM ?? '');
}

export interface StageOptions {
  maxFps: number;
  /** Write synchronized-update brackets; default from TERM. */
  sync?: boolean;
  /** Move shifted rows with scroll regions; default from TERM. */
  scroll?: boolean;
}

export class CellStage {
  private readonly styles = new StyleTable();
  private readonly lines = new LineCache(this.styles);
  private readonly painter = new TreePainter(this.lines);
  /** What the terminal shows (null: unknown, erase first). */
  private front: Grid | null = null;
  private back: Grid | null = null;
  private root: InkNode | null = null;
  private lastFrameAt = -Infinity;
  private trailing: NodeJS.Timeout | null = null;
  private readonly intervalMs: number;
  private readonly sync: boolean;
  private readonly scroll: boolean;
  private active = false;
  private readonly onExit = () => this.leave();

  constructor(
    private readonly stdout: NodeJS.WriteStream,
    o: StageOptions,
  ) {
    this.intervalMs = Math.max(1, Math.ceil(1000 / Math.max(1, o.maxFps)));
    this.sync = o.sync ?? supportsSynchronizedUpdate();
    this.scroll = o.scroll ?? supportsScrollRegions();
  }

  /** Takes over the output of the Ink tree whose root node is `root`. */
  attach(root: InkNode & { onRender?: () => void; onImmediateRender?: () => void }): void {
    this.root = root;
    root.onRender = () => this.request();
    root.onImmediateRender = () => this.renderNow();
    this.stdout.write(ENTER);
    this.active = true;
    process.once('exit', this.onExit);
  }

  /** The next frame redraws every cell (after a resize, or when the screen was disturbed). */
  invalidate(): void {
    this.front = null;
  }

  /** A commit happened: draw now, or at the end of the frame interval (leading and trailing, like Ink). */
  request(): void {
    frameProbe.committed();
    if (this.trailing) return;
    const wait = this.lastFrameAt + this.intervalMs - performance.now();
    if (wait <= 0) this.renderNow();
    else {
      this.trailing = setTimeout(() => this.renderNow(), wait);
    }
  }

  /** Draws a pending frame at once (waitUntilRenderFlush). */
  flush(): void {
    if (this.trailing) this.renderNow();
  }

  renderNow(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = null;
    if (!this.active || !this.root) return;
    const t0 = performance.now();
    this.lastFrameAt = t0;
    const cols = Math.max(1, this.stdout.columns || 80);
    const rows = Math.max(1, this.stdout.rows || 24);
    if (!this.back || this.back.width !== cols || this.back.height !== rows) {
      this.back = new Grid(cols, rows);
      this.front = null;
    }
    this.painter.paint(this.root, this.back);
    const { out, cells } = diffGrids(this.front, this.back, this.styles, { scroll: this.scroll });
    // diffGrids brought `front` up to date, or (when it was unknown) the back grid is now on screen.
    if (!this.front) {
      this.front = this.back;
      this.back = new Grid(cols, rows);
    }
    if (out) this.stdout.write(this.sync ? BSU + out + ESU : out);
    frameProbe.written(performance.now() - t0, out.length ? Buffer.byteLength(out) + (this.sync ? BSU.length + ESU.length : 0) : 0, cells);
  }

  /** Gives the terminal back: attributes reset, cursor shown, normal screen. */
  leave(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = null;
    process.off('exit', this.onExit);
    if (!this.active) return;
    this.active = false;
    try {
      this.stdout.write(LEAVE);
    } catch {
      // The terminal may be gone already.
    }
  }
}

/**
 * The stdout Ink is given while the stage draws: the real terminal's size, TTY-ness and events,
 * but writes go nowhere (Ink still renders after a resize and at unmount; those frames are not needed).
 */
export function mutedStdout(real: NodeJS.WriteStream): NodeJS.WriteStream {
  const muted = new EventEmitter() as EventEmitter & Record<string, unknown>;
  Object.defineProperties(muted, {
    columns: { get: () => real.columns },
    rows: { get: () => real.rows },
    isTTY: { get: () => real.isTTY },
  });
  // Listeners go to the real stream, so Ink hears its resizes.
  muted.on = muted.addListener = (ev: string, fn: (...a: unknown[]) => void) => (real.on(ev, fn), muted);
  muted.off = muted.removeListener = (ev: string, fn: (...a: unknown[]) => void) => (real.off(ev, fn), muted);
  muted.once = (ev: string, fn: (...a: unknown[]) => void) => (real.once(ev, fn), muted);
  muted.write = (_data: unknown, enc?: unknown, cb?: unknown) => {
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(done as () => void);
    return true;
  };
  muted.getColorDepth = (...a: unknown[]) => (typeof real.getColorDepth === 'function' ? real.getColorDepth(...(a as [])) : 8);
  muted.hasColors = (...a: unknown[]) => (typeof real.hasColors === 'function' ? real.hasColors(...(a as [])) : true);
  muted.getWindowSize = () => [real.columns, real.rows];
  return muted as unknown as NodeJS.WriteStream;
}
