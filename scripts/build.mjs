// npm run build: one wasm module per class, then the JS entries, into pkg/.
//
//   pkg/checkout_bg.wasm    AlternativeClient   (cargo feature `checkout`)
//   pkg/gatekeeper_bg.wasm  SafeSDK             (cargo feature `gatekeeper`)
//   pkg/enrollment_bg.wasm  CardEnrollment      (cargo feature `enrollment`)
//   pkg/checkout.js, pkg/gatekeeper.js, pkg/enrollment.js   ESM per class (glue + loader, minified)
//   pkg/index.js            ESM, every class
//   pkg/partner-sdk.js      classic script, global PartnerSDK
//   pkg/errors.js           the error classes, shared by every ESM entry
//   pkg/*.node.js, pkg/errors.node.js   the same for Node (the .wasm read from disk; not minified)
//
// The wasm is built with std rebuilt and `-Cpanic=immediate-abort`: no panic or
// formatting machinery ships (a panic traps). Those flags are unstable, so they are
// enabled here, for this release build only, on the toolchain rust-toolchain.toml pins.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildEmbedded } from './build-embedded.mjs';

const root = new URL('..', import.meta.url).pathname;
const pkg = join(root, 'pkg');
const stage = join(root, 'target', 'js-stage');
const CLASSES = ['checkout', 'gatekeeper', 'enrollment'];
const PER_CLASS = /(['"])\.\/(checkout|gatekeeper|enrollment)\.js\1/g;

const env = {
  ...process.env,
  // wasm-opt comes from the binaryen devDependency; wasm-pack finds it on PATH.
  PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
  RUSTC_BOOTSTRAP: '1',
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:
    // The checkout's own path is remapped so that every clone builds identical bytes
    // (the README pins partner-sdk.js by hash). Reference types stay on: without them
    // (`-Ctarget-feature=-reference-types`, JS values in a JS-side heap) a checkout page
    // is ~720 B smaller, but the heap's glue runs in every JS call and figure 6's growth
    // after 10,000 requests went from 68 to 102 KB of compiled code (bench/README.md).
    // `-Zlocation-detail=none`: no file names in the wasm (a panic traps and prints
    // nothing, so its locations were dead bytes, and they named this machine's cargo
    // registry path, ~300 B gzipped).
    `-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Csymbol-mangling-version=legacy --remap-path-prefix=${root}=/partner-sdk/`,
};

rmSync(pkg, { recursive: true, force: true });
rmSync(stage, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
mkdirSync(stage, { recursive: true });

for (const name of CLASSES) {
  const out = join(root, 'target', 'wasm-pack', name);
  execFileSync('wasm-pack', [
    'build', '--release', '--target', 'web', '--no-pack', '--no-typescript',
    '--out-dir', out, '--out-name', name,
    '--', '--no-default-features', '--features', name, '-Zbuild-std=std,panic_abort',
  ], { cwd: root, stdio: 'inherit', env });
  // One more wasm-opt round after wasm-pack's -Oz: flattening and re-looping the control
  // flow lets -Oz find more (gzip -9: checkout wasm -233 B, Gatekeeper -148, card form
  // +25; about 10 s each).
  const optimized = join(out, `${name}_flat.wasm`);
  execFileSync('wasm-opt', [
    '--flatten', '--rereloop', '-Oz', '--converge', join(out, `${name}_bg.wasm`), '-o', optimized,
  ], { env });
  // Short import, export and module names: wasm-bindgen's are long random hashes that
  // gzip cannot shrink (1.7 KB of a checkout page); the glue is rewritten to match.
  const minified = join(out, `${name}_min.wasm`);
  const map = JSON.parse(execFileSync('wasm-opt', [
    '--minify-imports-and-exports-and-modules', optimized, '-o', minified,
  ], { env, encoding: 'utf8' }));
  // A last round over the minified module, in a run of its own (`--converge` repeats
  // every pass given, and a second minify would rename again): whole-module value flow
  // (`--gufa-optimizing`), then -Oz (gzip -9: checkout wasm -224 B, Gatekeeper -257, card
  // form -191; a few seconds each). The `producers` and `target_features` sections
  // (toolchain versions) are not read at run time: stripped (~200 B gzipped).
  execFileSync('wasm-opt', [
    '--gufa-optimizing', '-Oz', '--converge', '--strip-producers', '--strip-target-features',
    minified, '-o', join(pkg, `${name}_bg.wasm`),
  ], { env });
  const glue = renameGlue(readFileSync(join(out, `${name}.js`), 'utf8'), map, name);
  writeFileSync(join(stage, `${name}_glue.js`), glue);
}

for (const file of readdirSync(join(root, 'js'))) {
  if (file.endsWith('.js')) copyFileSync(join(root, 'js', file), join(stage, file));
}

/**
 * Applies wasm-opt's renaming to wasm-bindgen's glue: `wasm.<export>` uses, the import
 * object's keys, and the single module `a` the imports now come from. The glue's own
 * import of js/errors.js (from a snippets/ copy) points at the one shared `./errors.js`.
 */
function renameGlue(source, map, name) {
  const exports = new Map(map.exports);
  let glue = source.replace(/\bwasm\.(\w+)/g, (all, id) => {
    if (!exports.has(id)) throw new Error(`${name}: glue uses unknown export ${id}`);
    return `wasm.${exports.get(id)}`;
  });
  const fromErrors = [];
  for (const [module, id, short] of map.imports) {
    if (module.endsWith('/js/errors.js')) {
      fromErrors.push(`${JSON.stringify(short)}: errors.${id}`);
    } else if (module === `./${name}_bg.js`) {
      const key = new RegExp(`^(\\s+)${id}:`, 'm');
      if (!key.test(glue)) throw new Error(`${name}: glue has no import ${id}`);
      glue = glue.replace(key, `$1${JSON.stringify(short)}:`);
    } else {
      throw new Error(`${name}: unexpected import module ${module}`);
    }
  }
  // wasm-bindgen may import js/errors.js under more than one namespace (import1, import2…).
  const imports = /return \{\s*__proto__: null,\s*"\.\/\w+_bg\.js": import0,(?:\s*"[^"]+errors\.js": import\d+,)+\s*\};/;
  if (!imports.test(glue)) throw new Error(`${name}: unexpected import object shape`);
  glue = glue.replace(imports, `return { a: { ...import0, ${fromErrors.join(', ')} } };`);
  const errorsImport = /import \* as (import\d+) from "\.\/snippets\/[^"]+\/js\/errors\.js";?\n/g;
  const namespaces = [...glue.matchAll(errorsImport)].map((m) => m[1]);
  if (namespaces.length === 0) throw new Error(`${name}: glue does not import errors.js`);
  glue = `import * as errors from './errors.js';\n${glue.replace(errorsImport, '')}`
    .replace(new RegExp(`\\b(${namespaces.join('|')})\\b`, 'g'), 'errors');
  // A class constructed before its wasm loaded is the entry's business (SafeSDK: a
  // stand-in whose initialize() loads the wasm or rejects typed), not a bare TypeError.
  glue = glue.replace(/(\n    constructor\([^)]*\) \{\n)/g, '$1        if (wasm === undefined) return notLoaded(...arguments);\n');
  // AlternativeClient comes from its async `create()` only: `new` would give an object
  // every method refuses (it holds no client), so it throws and says what to call.
  if (name === 'checkout') {
    const head = /\nexport class AlternativeClient \{\n/;
    if (!head.test(glue)) throw new Error(`${name}: glue has no AlternativeClient class`);
    glue = glue.replace(head, (h) => `${h}    constructor() { throw new errors.ConfigurationError(${JSON.stringify(
      'make one with `await AlternativeClient.create(options)`, not `new`',
    )}, { key: 'AlternativeClient' }); }\n`);
  }
  glue += '\nlet notLoaded = () => { throw new Error("partner-sdk: wasm not loaded"); };\n'
    + '/** @internal the entry tells the glue how to explain a missing wasm. */\n'
    + 'export function __explainNotLoaded(f) { notLoaded = f; }\n';
  return glue.replace(/from (['"])\.\/snippets\/[^'"]+\/js\/errors\.js\1/g, "from './errors.js'");
}

/** Keeps `./errors.js` (in Node `./errors.node.js`) a shared module instead of a copy in each bundle. */
const sharedErrorsAt = (path) => ({
  name: 'shared-errors',
  setup(b) {
    b.onResolve({ filter: /\/errors\.js$/ }, () => ({ path, external: true }));
  },
});
const sharedErrors = sharedErrorsAt('./errors.js');
const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
// Each loader knows the SHA-384 of the .wasm this very build produced.
const define = Object.fromEntries(CLASSES.map((name) => [
  `__${name.toUpperCase()}_SHA384__`, JSON.stringify(sri(readFileSync(join(pkg, `${name}_bg.wasm`)))),
]));
// One id per build, from everything it bundles (the staged JS and glue, in name order):
// partner-sdk.js hands it to the class modules it loads on demand, which refuse a
// partner-sdk.js of another build (a cached copy after an upgrade) with an error that
// says so, instead of failing to link their wasm. Line endings are normalised: a checkout
// that converts them (Windows, core.autocrlf) builds the same files.
define.__PARTNER_SDK_BUILD__ = JSON.stringify(createHash('sha256')
  .update(readdirSync(stage).sort().map((f) => `${f}\0${readFileSync(join(stage, f), 'utf8').replace(/\r\n/g, '\n')}`).join('\0'))
  .digest('base64').slice(0, 16));
const common = { bundle: true, minify: true, target: 'es2022', logLevel: 'error', legalComments: 'none', define };

/**
 * The Node build: the same entries, reading their .wasm from disk instead of fetching it,
 * and `init()` given a `file:` URL (a string or a URL) reads that file too: Node's `fetch`
 * cannot, and would fail with a message that names no file.
 */
const readFromDisk = {
  name: 'read-from-disk',
  setup(b) {
    b.onLoad({ filter: /[\\/]loader\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const fetched = '  return pinnedFetch(source, integrity);\n';
      if (!source.includes(fetched)) throw new Error(`${path}: no pinnedFetch(source) to read file: URLs from disk`);
      return {
        contents: `import { readFile as __readFile } from 'node:fs/promises';\n${source.replace(fetched,
          "  if (/^file:/i.test(String(source))) return checked(await __readFile(new URL(String(source))), integrity);\n"
          + fetched)}`,
        loader: 'js',
      };
    });
    b.onLoad({ filter: /(checkout|gatekeeper|enrollment)\.js$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const wasmUrl = /besidePackage\((new URL\('\w+_bg\.wasm', import\.meta\.url\))\)/;
      if (!wasmUrl.test(source)) throw new Error(`${path}: no wasm URL to read from disk`);
      return {
        contents: `import { readFile as __readFile } from 'node:fs/promises';\n${source.replace(wasmUrl, '__readFile($1)')}`,
        loader: 'js',
      };
    });
  },
};

await build({ ...common, entryPoints: [join(stage, 'errors.js')], outfile: join(pkg, 'errors.js'), format: 'esm', bundle: false });
// The Node builds are not minified: size does not matter there, and Node prints the
// source line an uncaught error was made on (one line of minified code was ~6 KB).
await build({ ...common, minify: false, entryPoints: [join(stage, 'errors.js')], outfile: join(pkg, 'errors.node.js'), format: 'esm', bundle: false });
for (const entry of [...CLASSES, 'index']) {
  await build({
    ...common,
    entryPoints: [join(stage, `${entry}.js`)],
    outfile: join(pkg, `${entry}.js`),
    format: 'esm',
    plugins: [sharedErrors],
    // index.js re-exports the per-class entries rather than copying them.
    external: entry === 'index' ? CLASSES.map((name) => `./${name}.js`) : [],
  });
}
// SafeSDK and CardEnrollment for the classic script, loaded on demand: their errors
// are the global's.
for (const entry of ['gatekeeper', 'enrollment']) {
  await build({
    ...common,
    entryPoints: [join(stage, `${entry}.js`)],
    outfile: join(pkg, `${entry}.classic.js`),
    format: 'esm',
    plugins: [{
      name: 'classic-errors',
      setup(b) {
        b.onResolve({ filter: /\/errors\.js$/ }, () => ({ path: join(stage, 'classic-errors.js') }));
      },
    }],
  });
}
await build({
  ...common,
  entryPoints: [join(stage, 'classic.js')],
  outfile: join(pkg, 'partner-sdk.js'),
  format: 'iife',
});

for (const entry of [...CLASSES, 'index']) {
  await build({
    ...common,
    entryPoints: [join(stage, `${entry}.js`)],
    outfile: join(pkg, `${entry}.node.js`),
    format: 'esm',
    platform: 'node',
    minify: false,
    plugins: [sharedErrorsAt('./errors.node.js'), readFromDisk],
    external: entry === 'index' ? CLASSES.map((name) => `./${name}.js`) : [],
  });
}
// index.node.js re-exports the Node builds of the per-class entries.
writeFileSync(join(pkg, 'index.node.js'), readFileSync(join(pkg, 'index.node.js'), 'utf8')
  .replace(PER_CLASS, "'./$2.node.js'"));
const REQUIRE_MESSAGE = "partner-sdk is an ES module: use `import { AlternativeClient } from 'partner-sdk'` (or from 'partner-sdk/checkout', '/gatekeeper', '/enrollment'); in CommonJS, `await import('partner-sdk')` inside an async function. Not require().";
writeFileSync(join(pkg, 'require.cjs'), [
  '// partner-sdk is an ES module (its Gatekeeper entry awaits its wasm at import).',
  `throw new Error(${JSON.stringify(REQUIRE_MESSAGE)});`,
  '',
].join('\n'));
// What TypeScript sees for require('partner-sdk') (package.json's "require" condition):
// the types only, so `import type` works in a CommonJS file while a static value import,
// which would throw when run, is a compile error (TS1362).
// Each entry has its own (pkg/require.d.cts for the root, pkg/<class>.d.cts), so that a
// subpath's types are that entry's. (`resolution-mode`: the .d.ts are ESM; without it,
// `node16` refuses the re-export, TS1479.)
for (const [file, entry] of [['require', 'index'], ...CLASSES.map((name) => [name, name])]) {
  writeFileSync(join(pkg, `${file}.d.cts`), [
    `// ${REQUIRE_MESSAGE}`,
    `export type * from './${entry}.js' with { 'resolution-mode': 'import' };`,
    '',
  ].join('\n'));
}
// `import type {} from 'partner-sdk/global'` in a CommonJS file: the global's declarations.
writeFileSync(join(pkg, 'global.d.cts'), [
  '// The classic script\'s global `PartnerSDK`, for a CommonJS file (see global.d.ts).',
  "import type {} from './global.js' with { 'resolution-mode': 'import' };",
  'export {};',
  '',
].join('\n'));

// pkg/*.embedded.js: the entries with the .wasm inside, for esbuild (scripts/build-embedded.mjs).
await buildEmbedded({ pkg, stage, classes: CLASSES, options: { ...common, format: 'esm', plugins: [sharedErrors] } });

// integrity.json: every file a page can load, with the hash to pin it by.
const integrity = Object.fromEntries(readdirSync(pkg)
  .filter((f) => /\.(js|wasm)$/.test(f) && !f.endsWith('.node.js'))
  .sort()
  .map((f) => [f, sri(readFileSync(join(pkg, f)))]));
writeFileSync(join(pkg, 'integrity.json'), `${JSON.stringify(integrity, null, 2)}\n`);
console.log('[build] pkg/integrity.json:');
for (const [file, hash] of Object.entries(integrity)) console.log(`  ${file.padEnd(24)} ${hash}`);

for (const types of readdirSync(join(root, 'js')).filter((f) => f.endsWith('.d.ts'))) {
  copyFileSync(join(root, 'js', types), join(pkg, types));
}
console.log('[build] pkg/ ready:', readdirSync(pkg).join(' '));
