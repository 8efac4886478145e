// Figure 1: gzip -9 (node zlib, level 9) of what ships, ours and the peers'.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const gzip9 = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** Raw and gzip bytes of files each served (and so compressed) on its own. */
function files(paths) {
  return paths.reduce((acc, path) => {
    const bytes = readFileSync(path);
    return { raw: acc.raw + bytes.length, gzip: acc.gzip + gzip9(bytes) };
  }, { raw: 0, gzip: 0 });
}

/** An esbuild --minify bundle of `entry` (ESM source resolved from the repo), as one file. */
async function bundle(root, entry) {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  return { raw: bytes.length, gzip: gzip9(bytes) };
}

/** `entry` and every relative module it imports, transitively: what an ESM page fetches. */
function esmClosure(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/(?:\bfrom|\bimport)\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      visit(resolve(dirname(file), spec));
    }
  };
  visit(entry);
  return [...seen];
}

function version(root, name) {
  return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}

export async function measureSizes(root) {
  const pkg = join(root, 'pkg');
  const p = (f) => join(pkg, f);
  const esm = esmClosure(p('index.js'));
  const ours = {
    esmFiles: esm.map((f) => relative(pkg, f)),
    wasm: files([p('partner_sdk_bg.wasm')]),
    esmJs: files(esm),
    classicJs: files([p('partner-sdk.js')]),
    scriptTagTotal: files([p('partner-sdk.js'), p('partner_sdk_bg.wasm')]),
    esmTotal: files([...esm, p('partner_sdk_bg.wasm')]),
  };
  const nm = (name) => `${name}@${version(root, name)}`;
  const peers = [
    {
      name: nm('@auth0/auth0-spa-js'),
      how: 'published dist/auth0-spa-js.production.js',
      ...files([join(root, 'node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.js')]),
    },
    {
      name: nm('@supabase/auth-js'),
      how: 'esbuild --minify of `export { GoTrueClient }`',
      ...(await bundle(root, "export { GoTrueClient } from '@supabase/auth-js';")),
    },
    {
      name: `${nm('axios')} + ${nm('axios-auth-refresh')}`,
      how: 'esbuild --minify of both default exports',
      ...(await bundle(root, "export { default as axios } from 'axios';\nexport { default as createAuthRefreshInterceptor } from 'axios-auth-refresh';")),
    },
    {
      name: nm('jwt-decode'),
      how: 'esbuild --minify of `export { jwtDecode }` (ships unminified)',
      ...(await bundle(root, "export { jwtDecode } from 'jwt-decode';")),
    },
    {
      name: nm('oauth4webapi'),
      how: 'esbuild --minify of `export *` (ships unminified)',
      ...(await bundle(root, "export * from 'oauth4webapi';")),
    },
  ];
  return { ours, peers };
}

/** The jwt-decode the bench page imports: the package's own ESM build, bundled for the browser. */
export async function writeJwtDecodeForPage(root, outfile) {
  await build({
    stdin: { contents: "export { jwtDecode } from 'jwt-decode';", resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile,
    logLevel: 'error',
  });
}
