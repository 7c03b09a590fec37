// The output stage's scroll-region moves (DECSTBM + IL/DL) in real terminal emulators: frames of
// panes whose rows shift, as the stage would write them, played into tmux and into GNU screen
// inside tmux; after every frame the emulator's screen (capture-pane) must equal the frame.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { diffGrids } from '../../src/ui/output/diff.js';
import { Grid } from '../../src/ui/output/cells.js';
import { shiftingScreens } from '../helpers/shifting-screens.js';
import { startTmux, type TmuxSession } from '../helpers/tmux.js';
import { tempDir, waitFor } from '../helpers/net.js';

const sessions: TmuxSession[] = [];
after(() => sessions.forEach((s) => s.kill()));

for (const via of [undefined, 'screen -q -T screen-256color']) {
  test(`${via ? 'GNU screen inside tmux' : 'tmux'}: rows moved with scroll regions end up where the frame has them`, async () => {
    const cols = 96;
    const rows = 18;
    const { styles, frames } = shiftingScreens(cols, rows, 16, via ? 5 : 3);
    const dir = tempDir('warroom-scroll-');
    const front = new Grid(cols, rows);
    let scrolls = 0;
    frames.forEach((next, i) => {
      const d = i === 0 ? diffGrids(null, next, styles) : diffGrids(front, next, styles);
      if (i === 0) {
        front.glyphs.set(next.glyphs);
        front.styles.set(next.styles);
      }
      scrolls += d.scrolls;
      // The alternate screen and no cursor, as the stage enters; each frame is its own file.
      fs.writeFileSync(path.join(dir, `frame-${String(i).padStart(3, '0')}`), (i === 0 ? '\x1b[?1049h\x1b[?25l' : '') + d.out);
    });
    assert.ok(scrolls >= 4, `the frames use scroll regions (${scrolls} moves)`);
    const script = path.join(dir, 'play.sh');
    // One frame per line typed; the typed line is not echoed.
    fs.writeFileSync(script, `stty -echo; for f in '${dir}'/frame-*; do cat "$f"; read x; done\n`);
    const t = startTmux('', { cols, rows, via, program: `sh '${script}'` });
    sessions.push(t);
    for (let i = 0; i < frames.length; i++) {
      const want = Array.from({ length: rows }, (_, y) => frames[i]!.rowText(y).trimEnd()).join('\n');
      const got = await waitFor(
        () => {
          const screen = t
            .capture()
            .split('\n')
            .slice(0, rows)
            .map((l) => l.trimEnd())
            .join('\n');
          return screen === want ? screen : null;
        },
        { timeoutMs: 5000, intervalMs: 50, what: `frame ${i}` },
      ).catch(() => t.capture());
      assert.equal(
        got
          .split('\n')
          .slice(0, rows)
          .map((l) => l.trimEnd())
          .join('\n'),
        want,
        `frame ${i}`,
      );
      t.keys('Enter');
    }
  });
}
