// npm run build: wasm-pack (with wasm-opt -Oz) into pkg/, then the two entry files.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, readdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const pkg = join(root, 'pkg');

rmSync(pkg, { recursive: true, force: true });
execFileSync('wasm-pack', ['build', '--release', '--target', 'web', '--no-pack', '--out-dir', 'pkg', '--out-name', 'partner_sdk'], {
  cwd: root,
  stdio: 'inherit',
  // wasm-opt comes from the binaryen devDependency; wasm-pack finds it on PATH.
  env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
});
for (const junk of ['.gitignore', 'README.md', 'package.json', 'partner_sdk.d.ts', 'partner_sdk_bg.wasm.d.ts']) {
  rmSync(join(pkg, junk), { force: true });
}

// wasm-bindgen copies js/errors.js to pkg/snippets/<crate>-<hash>/js/errors.js; the
// entries must import that very copy, or `instanceof` would see two classes.
const snippets = readdirSync(join(pkg, 'snippets'));
if (snippets.length !== 1) throw new Error(`expected one snippet dir, found ${snippets}`);
const errorsPath = `./snippets/${snippets[0]}/js/errors.js`;
if (!existsSync(join(pkg, errorsPath))) throw new Error(`missing ${errorsPath}`);

const entry = (name) => readFileSync(join(root, 'js', name), 'utf8').replaceAll("'./errors.js'", `'${errorsPath}'`);
writeFileSync(join(pkg, 'index.js'), entry('index.js'));
writeFileSync(join(pkg, 'classic.js'), entry('classic.js'));
writeFileSync(join(pkg, 'loader.js'), entry('loader.js'));
for (const types of ['index.d.ts', 'global.d.ts']) copyFileSync(join(root, 'js', types), join(pkg, types));

await build({
  entryPoints: [join(pkg, 'classic.js')],
  outfile: join(pkg, 'partner-sdk.js'),
  bundle: true,
  format: 'iife',
  globalName: 'PartnerSDK',
  minify: true,
  target: 'es2020',
  logLevel: 'error',
});
rmSync(join(pkg, 'classic.js'));
console.log('[build] pkg/ ready:', readdirSync(pkg).join(' '));
