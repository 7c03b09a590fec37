// Bundles warroom into one CommonJS file, dist/warroom.cjs, for bin/warroom.cjs and for the
// single executable (Node 22's SEA runs one CommonJS script). Run by `npm run build`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
export const BUNDLE = path.join(root, 'dist', 'warroom.cjs');

/** Replaces `from` by `to` in a dependency's source, failing the build when the text is not there (the dependency changed). */
function patch(text, file, from, to) {
  if (!text.includes(from)) throw new Error(`bundle: ${path.relative(root, file)} no longer contains ${JSON.stringify(from)}; update scripts/bundle.mjs`);
  return text.split(from).join(to);
}

const shims = {
  name: 'warroom-shims',
  setup(build) {
    // Ink imports only `throttle` from the es-toolkit/compat barrel; the barrel drags in all of it.
    build.onResolve({ filter: /^es-toolkit\/compat$/ }, (args) => {
      if (!args.importer.includes(`${path.sep}ink${path.sep}`)) return undefined;
      return { path: path.join(root, 'node_modules/es-toolkit/dist/compat/function/throttle.mjs') };
    });
    // yoga-layout instantiates its WebAssembly with a top-level await, which CommonJS cannot
    // have; Emscripten's instantiateWasm hook lets the same module be instantiated synchronously.
    build.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: 'yoga-layout-sync', namespace: 'warroom-shim' }));
    build.onLoad({ filter: /^yoga-layout-sync$/, namespace: 'warroom-shim' }, () => {
      const dir = path.join(root, 'node_modules/yoga-layout/dist');
      const binary = fs.readFileSync(path.join(dir, 'binaries/yoga-wasm-base64-esm.js'), 'utf8');
      const m = /data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)/.exec(binary);
      if (!m) throw new Error('bundle: the yoga-layout binary has no base64 WebAssembly; update scripts/bundle.mjs');
      return {
        resolveDir: dir,
        contents: `
import loadYoga from './binaries/yoga-wasm-base64-esm.js';
import wrapAssembly from './src/wrapAssembly.js';
const bytes = Buffer.from(${JSON.stringify(m[1])}, 'base64');
const mod = { instantiateWasm(imports, done) { done(new WebAssembly.Instance(new WebAssembly.Module(bytes), imports)); return {}; } };
loadYoga(mod);
if (!mod.calledRun) throw new Error('yoga-layout did not initialise synchronously');
export default wrapAssembly(mod);
export * from './src/generated/YGEnums.js';
`,
      };
    });
    // Ink's React devtools hook-up (DEV=true only) uses top-level awaits; the bundle has no devtools.
    build.onLoad({ filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) => {
      let text = fs.readFileSync(args.path, 'utf8');
      text = patch(text, args.path, "await import('./devtools.js');", '');
      text = patch(text, args.path, 'const loaded = await loadPackageJson();', 'const loaded = {};');
      text = patch(text, args.path, "process.env['DEV'] === 'true'", 'false');
      return { contents: text, loader: 'js' };
    });
  },
};

export async function bundle() {
  const result = await esbuild.build({
    entryPoints: [path.join(root, 'src/cli.ts')],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [shims],
    banner: { js: `/* warroom ${pkg.version} */\nvar __warroom_module_url = require('node:url').pathToFileURL(__filename).href;` },
    define: {
      'import.meta.url': '__warroom_module_url',
      WARROOM_VERSION: JSON.stringify(pkg.version),
      WARROOM_BUNDLE: 'true',
      'process.env.NODE_ENV': '"production"',
    },
  });
  fs.writeFileSync(path.join(root, 'dist', 'warroom.meta.json'), JSON.stringify(result.metafile));
  return { file: BUNDLE, bytes: fs.statSync(BUNDLE).size };
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { file, bytes } = await bundle();
  process.stdout.write(`bundle: ${path.relative(root, file)} ${(bytes / 1024).toFixed(0)} KiB\n`);
}
