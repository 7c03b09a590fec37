// A headless terminal for tests of the real bytes Ink writes: a TTY-shaped stdout that feeds an
// @xterm/headless emulator, a TTY-shaped stdin for useInput, and readers for the emulated screen.
// Unlike ink-testing-library this sees cursor moves, erases, the alternate screen and line wraps.
import { PassThrough, Writable } from 'node:stream';
import xterm from '@xterm/headless';

const { Terminal } = xterm;
export type HeadlessTerminal = InstanceType<typeof Terminal>;

/** A stdout Ink treats as a terminal of `columns`×`rows`; every write goes to `term`. */
export class XtermStdout extends Writable {
  readonly isTTY = true;
  columns: number;
  rows: number;
  readonly term: HeadlessTerminal;
  /** Everything written, in order (for debugging a failing comparison). */
  raw = '';
  private pending: Promise<void> = Promise.resolve();

  constructor(cols: number, rows: number) {
    super({ decodeStrings: false });
    this.columns = cols;
    this.rows = rows;
    // convertEol: the tty line discipline turns \n into \r\n (libuv keeps ONLCR even in raw mode).
    this.term = new Terminal({ cols, rows, allowProposedApi: true, scrollback: 0, convertEol: true });
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.raw += s;
    this.pending = this.pending.then(() => new Promise<void>((r) => this.term.write(s, r)));
    cb();
  }

  /** Resolves once the emulator has parsed everything written so far. */
  async flushed(): Promise<void> {
    let p: Promise<void>;
    do {
      p = this.pending;
      await p;
    } while (p !== this.pending);
  }

  /** Resizes like a terminal window would: the emulator first, then the 'resize' event Ink listens to. */
  resize(cols: number, rows: number): void {
    this.columns = cols;
    this.rows = rows;
    this.term.resize(cols, rows);
    this.emit('resize');
  }

  getColorDepth(): number {
    return 24;
  }

  hasColors(count = 16): boolean {
    return count <= 2 ** 24;
  }

  getWindowSize(): [number, number] {
    return [this.columns, this.rows];
  }

  dispose(): void {
    this.term.dispose();
  }
}

/** A stdin Ink's useInput accepts (raw mode is a no-op); write key bytes into it to type. */
export function fakeStdin(): NodeJS.ReadStream {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { isTTY: boolean };
  s.isTTY = true;
  (s as unknown as { setRawMode: (b: boolean) => unknown }).setRawMode = () => s;
  (s as unknown as { ref: () => unknown }).ref = () => s;
  (s as unknown as { unref: () => unknown }).unref = () => s;
  return s;
}

/** The visible screen of the active buffer (the alternate one under Ink's alternateScreen), right-trimmed. */
export function screenText(term: HeadlessTerminal): string[] {
  const buf = term.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < term.rows; y++) out.push(buf.getLine(buf.viewportY + y)?.translateToString(true) ?? '');
  return out;
}

/** Rows that the emulator marks as the continuation of the row above (text that wrapped). */
export function wrappedRows(term: HeadlessTerminal): number[] {
  const buf = term.buffer.active;
  const out: number[] = [];
  for (let y = 0; y < term.rows; y++) if (buf.getLine(buf.viewportY + y)?.isWrapped) out.push(y);
  return out;
}

/** Every cell's text and attributes as one string per row, so colour/bold differences are caught too. */
export function screenCells(term: HeadlessTerminal): string[] {
  const buf = term.buffer.active;
  const cell = buf.getNullCell();
  const out: string[] = [];
  for (let y = 0; y < term.rows; y++) {
    const line = buf.getLine(buf.viewportY + y);
    let s = '';
    for (let x = 0; line && x < term.cols; x++) {
      line.getCell(x, cell);
      s += `${cell.getChars() || ' '}\u0000${cell.getFgColorMode()}:${cell.getFgColor()}/${cell.getBgColorMode()}:${cell.getBgColor()}/${cell.isBold()}${cell.isInverse()}${cell.isUnderline()}${cell.isDim()}|`;
    }
    out.push(s);
  }
  return out;
}

/** The position of the cursor and which buffer is active. */
export function cursorState(term: HeadlessTerminal): { x: number; y: number; alternate: boolean } {
  const buf = term.buffer.active;
  return { x: buf.cursorX, y: buf.cursorY, alternate: buf.type === 'alternate' };
}
