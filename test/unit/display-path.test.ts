import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { displayPath } from '../../src/util/display-path.js';

test('paths are shown short: relative below the current directory, ~/ below home, else whole', () => {
  assert.equal(displayPath(path.join(process.cwd(), 'themes', 'x.yaml'), '/nowhere'), path.join('themes', 'x.yaml'));
  assert.equal(displayPath('/home/ana/.local/state/warroom/postmortems/INC-1.md', '/home/ana'), '~/.local/state/warroom/postmortems/INC-1.md');
  assert.equal(displayPath('/var/lib/warroom/postmortems/INC-1.md', '/home/ana'), '/var/lib/warroom/postmortems/INC-1.md');
  assert.equal(displayPath('/home/anabel/x.md', '/home/ana'), '/home/anabel/x.md', 'a sibling that shares the prefix is not home');
});
