// Screens whose rows shift, for the output stage's scroll-region tests: panes side by side (a
// list that gains and loses rows in the middle, an event log that grows at the top, a static
// pane) and a full-width list, with styles and wide glyphs, changed by a seeded random walk.
import { Grid, LineCache, StyleTable } from '../../src/ui/output/cells.js';

const COLOURS = ['\x1b[32m', '\x1b[33m', '\x1b[1;31m', '\x1b[38;2;139;148;158m', '\x1b[7m', ''];

export interface ShiftingScreens {
  styles: StyleTable;
  /** The grid of step i (step 0 is the first frame). */
  frames: Grid[];
}

export function shiftingScreens(cols: number, rows: number, steps: number, seed: number): ShiftingScreens {
  let s = seed;
  const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
  const styles = new StyleTable();
  const cache = new LineCache(styles);
  const word = () => ['api', 'checkout', 'worker', 'redis', '日本', 'Pulled', 'Killing', 'x'][rnd(8)]!;
  const item = () => `${word()}-${rnd(100000).toString(36)} ${COLOURS[rnd(COLOURS.length)]}${['Running', 'Pending', 'Terminating', 'CrashLoop'][rnd(4)]}\x1b[0m`;
  let list = Array.from({ length: rows }, item);
  let events = Array.from({ length: 4 }, item);
  let full = Array.from({ length: rows }, item);
  const w = Math.floor(cols / 3);
  const pad = (t: string, width: number) => t + ' '.repeat(Math.max(0, width - cache.get(t).width));
  const frames: Grid[] = [];
  for (let step = 0; step < steps; step++) {
    const g = new Grid(cols, rows);
    const put = (text: string, x: number, y: number, width: number) => g.blit(cache.get(text), x, y, { x1: x, x2: Math.min(cols, x + width), y1: 0, y2: rows });
    const layout = step % 4 === 3 ? 'stacked' : 'columns';
    put(`warroom step ${step} ${layout}`, 0, 0, cols);
    if (layout === 'columns') {
      for (let y = 1; y < rows; y++) {
        put(`│${pad(list[y - 1] ?? '', w - 2)}│`, 0, y, w);
        put(`│${pad(events[y - 1] ?? '', w - 2)}│`, w, y, w);
        put(`│${pad(y % 3 ? 'static pane' : '', cols - 2 * w - 2)}│`, 2 * w, y, cols - 2 * w);
      }
    } else {
      for (let y = 1; y < rows; y++) put(full[y - 1] ?? '', 0, y, cols);
    }
    frames.push(g);
    // The next step: rows inserted and deleted in the list, events arriving at the top, a status changing.
    const at = rnd(list.length);
    if (rnd(2)) list.splice(at, 0, ...Array.from({ length: 1 + rnd(2) }, item));
    else list.splice(at, 1 + rnd(2));
    if (rnd(2)) events.unshift(...Array.from({ length: 1 + rnd(3) }, item));
    if (list.length) list[rnd(list.length)] = item();
    const f = rnd(full.length);
    if (rnd(2)) full.splice(f, 0, item());
    else full.splice(f, 1 + rnd(3));
    if (rnd(3) === 0) full.splice(0, rnd(3));
    list = list.slice(0, rows * 2);
    events = events.slice(0, rows * 2);
    full = full.slice(0, rows * 2);
    while (full.length < rows) full.push(item());
  }
  return { styles, frames };
}
