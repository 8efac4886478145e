// The `browser` entries of the exports map, for bundlers that cannot ship a .wasm on
// their own (esbuild with no options: evanw/esbuild#795). Called by scripts/build.mjs.
//
//   pkg/<class>.embedded.js   the ESM entry of <class> with its .wasm inside the JS
//                             (base64, decoded when the entry loads it)
//   pkg/index.embedded.js     pkg/index.js re-exporting the *.embedded.js entries
//
// Which bundler gets which entry (package.json "exports"): webpack, Next.js (webpack and
// Turbopack) and Vite always set the `development` or `production` condition, which
// comes first and keeps the `new URL('<class>_bg.wasm', import.meta.url)` entry (a
// separate .wasm, compiled while it streams). esbuild sets neither unless told
// (`default`, `import`, `module`, `browser`), so it reaches `browser`: this entry. Node
// stops at `node` before both.
//
// The embedded bytes go through the same loader as `init(bytes)`: checked against the
// SHA-384 this build pinned before they are compiled.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * @param {object} o
 * @param {string} o.pkg the output folder (holds <class>_bg.wasm and index.js already)
 * @param {string} o.stage the staged sources (<class>.js, loader.js, the glue)
 * @param {string[]} o.classes the classes that have a wasm module
 * @param {import('esbuild').BuildOptions} o.options the options of the ESM entries
 */
export async function buildEmbedded({ pkg, stage, classes, options }) {
  const embedWasm = {
    name: 'embed-wasm',
    setup(b) {
      const entry = new RegExp(`[\\\\/](${classes.join('|')})\\.js$`);
      b.onLoad({ filter: entry }, ({ path }) => {
        const source = readFileSync(path, 'utf8');
        const wasmUrl = /besidePackage\(new URL\('(\w+_bg\.wasm)', import\.meta\.url\)\)/;
        const found = source.match(wasmUrl);
        if (!found) throw new Error(`${path}: no wasm URL to embed`);
        const base64 = readFileSync(join(pkg, found[1])).toString('base64');
        // A function, so that the decoded bytes are not kept once compiled.
        const bytes = `(() => { const s = ${JSON.stringify(base64)}; `
          + 'return Uint8Array.fromBase64 ? Uint8Array.fromBase64(s) : Uint8Array.from(atob(s), (c) => c.charCodeAt(0)); })()';
        return { contents: source.replace(wasmUrl, bytes), loader: 'js' };
      });
    },
  };
  for (const name of classes) {
    await build({
      ...options,
      entryPoints: [join(stage, `${name}.js`)],
      outfile: join(pkg, `${name}.embedded.js`),
      plugins: [...(options.plugins ?? []), embedWasm],
    });
  }
  const perClass = new RegExp(`(['"])\\./(${classes.join('|')})\\.js\\1`, 'g');
  const index = readFileSync(join(pkg, 'index.js'), 'utf8');
  if (!perClass.test(index)) throw new Error('pkg/index.js imports no per-class entry');
  writeFileSync(join(pkg, 'index.embedded.js'), index.replace(perClass, "'./$2.embedded.js'"));
}
