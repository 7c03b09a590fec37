// `npm run package`: dist/warroom-linux-x64, one executable with Node.js inside (Node's single
// executable applications): the bundle with its V8 code cache, the built-in themes as assets,
// injected into a copy of the node that runs this script.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
// The fuse every Node.js binary carries; postject flips it so node looks for the blob.
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export async function packageExecutable() {
  if (Number(process.versions.node.split('.')[0]) < 22) throw new Error(`npm run package needs Node.js 22 or newer (this is ${process.version})`);
  const { file: main } = await bundle();
  const target = path.join(dist, `warroom-${process.platform}-${process.arch}`);
  const blob = path.join(dist, 'warroom.blob');
  const configFile = path.join(dist, 'sea-config.json');
  const assets = Object.fromEntries(
    fs
      .readdirSync(path.join(root, 'themes'))
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .map((f) => [`themes/${f}`, path.join(root, 'themes', f)]),
  );
  fs.writeFileSync(configFile, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', configFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  fs.rmSync(target, { force: true });
  fs.copyFileSync(process.execPath, target);
  fs.chmodSync(target, 0o755);
  const postject = path.join(root, 'node_modules', 'postject', 'dist', 'cli.js');
  try {
    execFileSync(process.execPath, [postject, target, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: 'pipe' });
  } catch (e) {
    // postject's ELF warnings ("Can't find string offset for section name '.note'") are harmless; failures are not.
    throw new Error(`postject failed: ${e.stderr?.toString() || e.message}`);
  }
  fs.rmSync(blob);
  fs.rmSync(configFile);
  return { file: target, bytes: fs.statSync(target).size };
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { file, bytes } = await packageExecutable();
  process.stdout.write(`package: ${path.relative(root, file)} ${(bytes / 1024 / 1024).toFixed(1)} MiB (Node ${process.versions.node} inside)\n`);
}
