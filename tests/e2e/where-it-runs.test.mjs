// Where it runs (issue 15): the packed tarball in a fresh app per runtime or bundler, each
// making real calls to the sandbox. `npm pack` runs once; every app is a new temp dir whose
// pinned devDependencies come from target/e2e-apps/ (see tests/e2e/apps/lib.mjs) and that
// installs the tarball with `npm install`. No app has a config that mentions partner-sdk.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, screenshot, startSandbox, watchedPage } from './helpers.mjs';
import { cacheDir, freePort, freshApp, pack, run, serveStatic, startServer } from './apps/lib.mjs';

let sandbox;
let browser;
let tarball;
const apps = [];
const timings = [];

before(async () => {
  sandbox = await startSandbox();
  tarball = await pack();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
  if (tarball) rmSync(dirname(tarball), { recursive: true, force: true });
  if (!process.env.KEEP_E2E_APPS) for (const app of apps) rmSync(app, { recursive: true, force: true });
  if (timings.length) {
    console.log(`where it runs, wall time per case:\n${timings.map(([name, s]) => `  ${s.toFixed(1).padStart(6)} s  ${name}`).join('\n')}`);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'timings.json'), `${JSON.stringify(Object.fromEntries(timings), null, 2)}\n`);
  }
});

/** A case: measures its wall time (app set-up included) and reports it. */
function matrixCase(name, fn, options = {}) {
  test(name, options, async (t) => {
    const start = performance.now();
    try {
      await fn(t);
    } finally {
      const seconds = (performance.now() - start) / 1000;
      timings.push([name, seconds]);
      t.diagnostic(`wall time ${seconds.toFixed(1)} s`);
    }
  });
}

function app(name, options) {
  const dir = freshApp(name, tarball, options);
  apps.push(dir);
  return dir;
}

const bin = (dir, name) => join(dir, 'node_modules/.bin', name);
const PAID = 'inv_1001 succeeded 4999 USD';

/**
 * Loads `url` in headless Chromium: the page must show the paid invoice, every `.wasm`
 * request must answer 200 as application/wasm, and nothing may go wrong in the console.
 * With `embedded`, the page must request no `.wasm` at all (the bytes are in the bundle).
 */
async function paysInChromium(url, shot, { embedded = false } = {}) {
  browser ??= await launchBrowser();
  const paymentsBefore = (await sandbox.counters()).payments_created;
  const { page, seen } = await watchedPage(browser.context);
  const wasm = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.endsWith('.wasm')) wasm.push({ path: new URL(r.url()).pathname, status: r.status(), type: r.headers()['content-type'] });
  });
  try {
    await page.goto(`${url}${url.includes('?') ? '&' : '?'}api=${encodeURIComponent(sandbox.url)}`);
    await page.waitForSelector('#app[data-state]', { timeout: 60_000 });
    const text = await page.textContent('#app');
    assert.equal(text, PAID, `the page says: ${text}\nwasm: ${JSON.stringify(wasm)}\nseen: ${JSON.stringify(seen)}`);
    assert.equal(await page.getAttribute('#app', 'data-state'), 'ok');
    await screenshot(page, shot);
    if (embedded) assert.deepEqual(wasm, [], 'the .wasm came inside the bundle');
    else assert.ok(wasm.length >= 1, 'the page fetched a .wasm');
    for (const w of wasm) {
      assert.equal(w.status, 200, w.path);
      assert.match(w.type ?? '', /^application\/wasm\b/, w.path);
    }
    assert.equal((await sandbox.counters()).payments_created, paymentsBefore + 1, 'one payment reached the sandbox');
    assert.deepEqual([seen.errors, seen.pageErrors, seen.http], [[], [], []]);
    return { wasm, warnings: seen.warnings };
  } finally {
    await page.close();
  }
}

matrixCase('Node ESM script: create, get, post a payment, refresh after a revoke; importing fetches nothing', async () => {
  const dir = app('node');
  const before = await sandbox.counters();
  const out = JSON.parse(run('node', ['--import', './record-fetch.mjs', 'main.mjs'], { cwd: dir, env: { SANDBOX_URL: sandbox.url } }));
  assert.match(out.resolved, /\/node_modules\/partner-sdk\/pkg\/index\.node\.js$/, 'Node resolves the node entry');
  assert.deepEqual(out.fetchesOnImport, [], 'importing made no request');
  assert.deepEqual(out.invoice, ['inv_1001', 4999, 'USD']);
  assert.deepEqual(out.payment, ['succeeded', 'inv_1001', 4999]);
  assert.equal(out.callbacksBeforeRevoke, 0);
  assert.equal(out.callbacks, 1, 'one callback call after the revoke');
  assert.equal(out.again, 'inv_1001');
  assert.deepEqual(out.refused, [true, 403]);
  // SafeSDK: Node 20 has no localStorage, so each initialize() registers (docs/api.md).
  assert.equal(out.hasLocalStorage, false);
  assert.deepEqual(out.registrations, [true, true]);
  assert.equal(out.check, 'Ok');
  const after = await sandbox.counters();
  assert.equal(after.payments_created - before.payments_created, 1);
  assert.equal(after.unauthorized - before.unauthorized, 1, 'the one 401 after the revoke');
  assert.equal(after.device_registrations - before.device_registrations, 2);
});

const REQUIRE_MESSAGE = "partner-sdk is an ES module: use `import { AlternativeClient } from 'partner-sdk'` (or from 'partner-sdk/checkout', '/gatekeeper', '/enrollment'); in CommonJS, `await import('partner-sdk')` inside an async function. Not require().";

matrixCase('CommonJS: require() fails with an error that says to use import; await import() works', async () => {
  const dir = app('cjs');
  const out = JSON.parse(run('node', ['main.cjs'], { cwd: dir, env: { SANDBOX_URL: sandbox.url } }));
  // Today this is Node's own refusal (require(esm) of the node entry, which has top-level
  // await); it says "Use import() instead". The package's own message is the todo below.
  assert.match(out.message, /partner-sdk is an ES module: use `import|Use import\(\) instead|dynamic import\(\)/);
  assert.equal(out.invoice, 'inv_1001');
});

// "require" comes before "node" in package.json's exports: otherwise Node >= 20.19
// (require(esm) on by default) picks pkg/index.node.js and fails with its own message.
test('CommonJS: require() reaches pkg/require.cjs and its message', () => {
  const out = JSON.parse(run('node', ['-e', "let m; try { require('partner-sdk') } catch (e) { m = e.message } console.log(JSON.stringify(m))"], { cwd: apps.find((a) => a.includes('partner-sdk-cjs-')) }));
  assert.equal(out, REQUIRE_MESSAGE);
});

// TypeScript resolves require('partner-sdk') as Node does (the "require" condition comes
// first): a static import in a CommonJS file, which would throw when run, does not compile;
// the dynamic import the message recommends does.
test('TypeScript (nodenext, node16): a static import in a .cts is a compile error; import type (each subpath its own types, the global too) and await import() compile', () => {
  const dir = apps.find((a) => a.includes('partner-sdk-cjs-'));
  const tsc = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsc');
  writeFileSync(join(dir, 'bad.cts'), "import { AlternativeClient } from 'partner-sdk';\nexport const client = AlternativeClient;\n");
  writeFileSync(join(dir, 'good.cts'), [
    "import type { AlternativeClient as Client, PartnerSdkError } from 'partner-sdk';",
    "import type { SafeSDK } from 'partner-sdk/gatekeeper';",
    // A subpath's types are that entry's: its init() takes a URL, not { checkout, … }.
    "import type { init } from 'partner-sdk/checkout';",
    "import type {} from 'partner-sdk/global';",
    "export const wasmAt: Parameters<typeof init>[0] = new URL('https://cdn.example/checkout_bg.wasm');",
    'export type Global = typeof PartnerSDK.AlternativeClient;',
    'export async function load(): Promise<Client | SafeSDK | PartnerSdkError | undefined> {',
    "  const { AlternativeClient } = await import('partner-sdk');",
    "  return AlternativeClient.create({ accessToken: 'a.b.c', baseUrl: 'https://api.example' });",
    '}',
    '',
  ].join('\n'));
  // The checkout entry has no SafeSDK.
  writeFileSync(join(dir, 'other.cts'), "import type { SafeSDK } from 'partner-sdk/checkout';\nexport type S = SafeSDK;\n");
  for (const mode of ['nodenext', 'node16']) {
    const flags = ['--noEmit', '--strict', '--module', mode, '--moduleResolution', mode, '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false'];
    run(tsc, [...flags, 'good.cts'], { cwd: dir });
    assert.throws(() => run(tsc, [...flags, 'bad.cts'], { cwd: dir }), /TS1362|cannot be used as a value/, mode);
    assert.throws(() => run(tsc, [...flags, 'other.cts'], { cwd: dir }), /TS2305|TS2614|has no exported member/, mode);
  }
});

// The older "node" (node10) resolution reads no `exports`: package.json's typesVersions
// gives it the subpath entries' types.
test('TypeScript (moduleResolution node10): the root and every subpath entry have types', () => {
  const dir = apps.find((a) => a.includes('partner-sdk-cjs-'));
  const tsc = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsc');
  writeFileSync(join(dir, 'node10.ts'), [
    "import { AlternativeClient } from 'partner-sdk';",
    "import { AlternativeClient as Checkout } from 'partner-sdk/checkout';",
    "import { SafeSDK } from 'partner-sdk/gatekeeper';",
    "import { CardEnrollment } from 'partner-sdk/enrollment';",
    "import type {} from 'partner-sdk/global';",
    'export const all = [AlternativeClient, Checkout, SafeSDK, CardEnrollment];',
    'export const create = PartnerSDK.AlternativeClient.create;',
    '',
  ].join('\n'));
  run(tsc, ['--noEmit', '--strict', '--module', 'commonjs', '--moduleResolution', 'node10', '--target', 'es2022', '--lib', 'es2022,dom', '--skipLibCheck', 'false', '--ignoreDeprecations', '5.0', 'node10.ts'], { cwd: dir });
});

matrixCase('vitest (Node environment, no config): a test using AlternativeClient passes', async () => {
  const dir = app('vitest');
  const before = await sandbox.counters();
  const out = run(bin(dir, 'vitest'), ['run', '--reporter=verbose'], { cwd: dir, env: { SANDBOX_URL: sandbox.url, CI: '1' } });
  assert.match(out, /✓ .*pays an invoice through the sandbox/);
  assert.match(out, /Tests\s+1 passed \(1\)/);
  assert.equal((await sandbox.counters()).payments_created - before.payments_created, 1);
});

// Vite 7's dev server pre-bundles partner-sdk with esbuild into node_modules/.vite/deps/,
// where `new URL('checkout_bg.wasm', import.meta.url)` finds no .wasm; the loader then
// looks in the package's own pkg/ (js/loader.js besidePackage). Vite 8 keeps the URL.
for (const [template, version] of [['vite', 8], ['vite7', 7]]) {
  matrixCase(`Vite ${version} dev server, no config (no optimizeDeps)`, async () => {
    const dir = app(template, { base: 'vite' });
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('vite.config')), 'no vite config');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const server = await startServer(bin(dir, 'vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: dir, url });
    try {
      await paysInChromium(url, `where-vite${version}-dev.png`);
      assert.doesNotMatch(server.log(), /error/i);
    } catch (e) {
      e.message += `\nvite said:\n${server.log()}`;
      throw e;
    } finally {
      await server.stop();
    }
  });
}

matrixCase('Vite 8 vite build, no config', async () => {
  const dir = app('vite');
  run(bin(dir, 'vite'), ['build', '--logLevel', 'warn'], { cwd: dir });
  assert.ok(readdirSync(join(dir, 'dist/assets')).some((f) => f.endsWith('.wasm')), 'vite emitted the .wasm');
  const server = await serveStatic(join(dir, 'dist'));
  try {
    await paysInChromium(server.url, 'where-vite-build.png');
  } finally {
    await server.close();
  }
});

matrixCase('webpack 5, no config file, no experiments', async () => {
  const dir = app('webpack');
  run(bin(dir, 'webpack'), ['--mode', 'production'], { cwd: dir });
  assert.ok(readdirSync(join(dir, 'dist')).some((f) => f.endsWith('.wasm')), 'webpack emitted the .wasm');
  cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
  const server = await serveStatic(join(dir, 'dist'));
  try {
    await paysInChromium(server.url, 'where-webpack.png');
  } finally {
    await server.close();
  }
});

// esbuild sets none of the `development` / `production` conditions that Vite, webpack and
// Next.js set: it resolves the package's `browser` entries (pkg/*.embedded.js), which carry
// the .wasm inside the JS. esbuild itself leaves `new URL('<class>_bg.wasm',
// import.meta.url)` as it is and ships no asset for it (evanw/esbuild#795).
const esbuildApp = (flags = []) => {
  const dir = app('esbuild', { base: 'vite' });
  run(bin(dir, 'esbuild'), ['main.js', '--bundle', '--format=esm', '--outfile=dist/index.js', '--log-level=warning', ...flags], { cwd: dir });
  cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
  return dir;
};
const wasmIn = (dir) => readdirSync(join(dir, 'dist')).filter((f) => f.endsWith('.wasm'));

matrixCase('esbuild: --bundle --format=esm with no copy step', async () => {
  const dir = esbuildApp();
  const bundle = readFileSync(join(dir, 'dist/index.js'), 'utf8');
  const pins = JSON.parse(readFileSync(join(dir, 'node_modules/partner-sdk/pkg/integrity.json'), 'utf8'));
  assert.deepEqual(wasmIn(dir), [], 'esbuild wrote no .wasm');
  // Every module is inside, each with the pin its bytes are checked against.
  for (const name of ['checkout', 'gatekeeper', 'enrollment']) assert.ok(bundle.includes(pins[`${name}_bg.wasm`]), `the ${name} pin is in the bundle`);
  const server = await serveStatic(join(dir, 'dist'));
  try {
    await paysInChromium(server.url, 'where-esbuild.png', { embedded: true });
  } finally {
    await server.close();
  }
});

// The opt-out, for a smaller bundle and a .wasm compiled while it streams: a condition
// that the exports map lists before `browser` (`production` or `development`) selects
// the URL entries, and the partner copies the .wasm files beside the bundle.
matrixCase('esbuild: --conditions=production, the .wasm files copied beside the bundle', async () => {
  const dir = esbuildApp(['--conditions=production']);
  assert.deepEqual(wasmIn(dir), []);
  const files = readdirSync(join(dir, 'node_modules/partner-sdk/pkg')).filter((f) => f.endsWith('_bg.wasm'));
  for (const f of files) cpSync(join(dir, 'node_modules/partner-sdk/pkg', f), join(dir, 'dist', f));
  const server = await serveStatic(join(dir, 'dist'));
  try {
    const { wasm } = await paysInChromium(server.url, 'where-esbuild-copied.png');
    assert.deepEqual(wasm.map((w) => w.path.slice(1)).sort(), files.sort(), 'the bundle fetched the copied .wasm files');
  } finally {
    await server.close();
  }
});

// Next.js 16 builds with Turbopack by default; `next build --webpack` is its webpack mode.
for (const [bundler, flags] of [['Turbopack', []], ['webpack', ['--webpack']]]) {
  matrixCase(`Next.js 16 App Router (${bundler}): SDK in a client component, next build + next start`, async () => {
    const dir = app('next');
    run(bin(dir, 'next'), ['build', ...flags], { cwd: dir });
    assert.ok(existsSync(join(dir, '.next/BUILD_ID')));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const server = await startServer(bin(dir, 'next'), ['start', '-H', '127.0.0.1', '-p', String(port)], { cwd: dir, url });
    try {
      await paysInChromium(url, `where-next-${bundler.toLowerCase()}.png`);
      assert.doesNotMatch(server.log(), /error|⨯/i, 'next start logged no error (server rendering included)');
    } catch (e) {
      e.message += `\nnext said:\n${server.log()}`;
      throw e;
    } finally {
      await server.stop();
    }
  });
}
