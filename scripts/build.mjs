// npm run build: one wasm module per class, then the JS entries, into pkg/.
//
//   pkg/checkout_bg.wasm    AlternativeClient   (cargo feature `checkout`)
//   pkg/gatekeeper_bg.wasm  SafeSDK             (cargo feature `gatekeeper`)
//   pkg/checkout.js, pkg/gatekeeper.js   ESM per class (glue + loader, minified)
//   pkg/index.js            ESM, every class
//   pkg/partner-sdk.js      classic script, global PartnerSDK
//   pkg/errors.js           the error classes, shared by every ESM entry
//
// The wasm is built with std rebuilt and `-Cpanic=immediate-abort`: no panic or
// formatting machinery ships (a panic traps). Those flags are unstable, so they are
// enabled here, for this release build only, on the toolchain rust-toolchain.toml pins.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const pkg = join(root, 'pkg');
const stage = join(root, 'target', 'js-stage');
const CLASSES = ['checkout', 'gatekeeper'];

const env = {
  ...process.env,
  // wasm-opt comes from the binaryen devDependency; wasm-pack finds it on PATH.
  PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`,
  RUSTC_BOOTSTRAP: '1',
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS:
    '-Zunstable-options -Cpanic=immediate-abort -Csymbol-mangling-version=legacy',
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
  // The glue imports js/errors.js from a snippets/ copy; point it at the one shared copy.
  const glue = readFileSync(join(out, `${name}.js`), 'utf8')
    .replace(/from (['"])\.\/snippets\/[^'"]+\/js\/errors\.js\1/g, "from './errors.js'");
  if (!glue.includes("from './errors.js'")) throw new Error(`${name}: glue does not import errors.js`);
  writeFileSync(join(stage, `${name}_glue.js`), glue);
  copyFileSync(join(out, `${name}_bg.wasm`), join(pkg, `${name}_bg.wasm`));
}

for (const file of readdirSync(join(root, 'js'))) {
  if (file.endsWith('.js')) copyFileSync(join(root, 'js', file), join(stage, file));
}

/** Keeps `./errors.js` a shared module instead of a copy in each bundle. */
const sharedErrors = {
  name: 'shared-errors',
  setup(b) {
    b.onResolve({ filter: /\/errors\.js$/ }, () => ({ path: './errors.js', external: true }));
  },
};
const common = { bundle: true, minify: true, target: 'es2022', logLevel: 'error', legalComments: 'none' };

await build({ ...common, entryPoints: [join(stage, 'errors.js')], outfile: join(pkg, 'errors.js'), format: 'esm', bundle: false });
for (const entry of [...CLASSES, 'index']) {
  await build({
    ...common,
    entryPoints: [join(stage, `${entry}.js`)],
    outfile: join(pkg, `${entry}.js`),
    format: 'esm',
    plugins: [sharedErrors],
    // index.js re-exports the per-class entries rather than copying them.
    external: entry === 'index' ? ['./checkout.js', './gatekeeper.js'] : [],
  });
}
// SafeSDK for the classic script, loaded on demand: its errors are the global's.
await build({
  ...common,
  entryPoints: [join(stage, 'gatekeeper.js')],
  outfile: join(pkg, 'gatekeeper.classic.js'),
  format: 'esm',
  plugins: [{
    name: 'classic-errors',
    setup(b) {
      b.onResolve({ filter: /\/errors\.js$/ }, () => ({ path: join(stage, 'classic-errors.js') }));
    },
  }],
});
await build({
  ...common,
  entryPoints: [join(stage, 'classic.js')],
  outfile: join(pkg, 'partner-sdk.js'),
  format: 'iife',
});

for (const types of readdirSync(join(root, 'js')).filter((f) => f.endsWith('.d.ts'))) {
  copyFileSync(join(root, 'js', types), join(pkg, types));
}
console.log('[build] pkg/ ready:', readdirSync(pkg).join(' '));
