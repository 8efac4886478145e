// Issue 14, the .wasm pinned by the JS that loads it: one *data* byte of a .wasm changed
// (the module still compiles) is refused with NetworkError / INTEGRITY_MISMATCH before any
// API request, through the classic script (a page that pins partner-sdk.js with SRI), the
// ESM entries, and init(url) / init(Response) / init(bytes); the right bytes through
// init(url) from another path work.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, screenshot, startSandbox, watchedPage } from './helpers.mjs';
import { cleanUp, snapshotPkg, tamperWasm, tempDir, wwwCopy } from './trust-kit.mjs';
import { cpSync, writeFileSync } from 'node:fs';

const BLANK = '<!doctype html><meta charset="utf-8"><title>blank</title>\n';
const CLASSIC = '<!doctype html><meta charset="utf-8"><title>classic</title>\n<script src="/pkg/partner-sdk.js"></script>\n';

let pkg;
let badWasm; // sandbox: pkg/ with both .wasm files tampered, every JS file intact
let selfHosted; // sandbox: pkg/ without its .wasm; good copies under /cdn/, tampered under /tampered/
let good; // sandbox: pkg/ as built (for the preload page)
let browser;
before(async () => {
  pkg = await snapshotPkg();
  const checkout = readFileSync(join(pkg.dir, 'checkout_bg.wasm'));
  const gatekeeper = readFileSync(join(pkg.dir, 'gatekeeper_bg.wasm'));
  const tampered = { checkout: tamperWasm(checkout), gatekeeper: tamperWasm(gatekeeper) };

  const bad = tempDir('pkg-bad-wasm');
  cpSync(pkg.dir, bad, { recursive: true });
  writeFileSync(join(bad, 'checkout_bg.wasm'), tampered.checkout);
  writeFileSync(join(bad, 'gatekeeper_bg.wasm'), tampered.gatekeeper);

  const jsOnly = tempDir('pkg-js-only');
  cpSync(pkg.dir, jsOnly, { recursive: true });
  rmSync(join(jsOnly, 'checkout_bg.wasm'));
  rmSync(join(jsOnly, 'gatekeeper_bg.wasm'));

  const www = wwwCopy(pkg.integrity, {
    'blank.html': BLANK,
    'classic.html': CLASSIC,
    'cdn/checkout_bg.wasm': checkout,
    'cdn/gatekeeper_bg.wasm': gatekeeper,
    'tampered/checkout_bg.wasm': tampered.checkout,
    'tampered/gatekeeper_bg.wasm': tampered.gatekeeper,
    // The docs' preload (docs/api.md) with this build's pin, then the script tag.
    'preloaded.html': `<!doctype html><meta charset="utf-8"><title>preloaded</title><link rel="icon" href="/favicon.svg">
<link rel="preload" href="/pkg/checkout_bg.wasm" as="fetch" crossorigin="anonymous" integrity="${pkg.integrity['checkout_bg.wasm']}">
<script src="/pkg/partner-sdk.js"></script>
`,
  });
  badWasm = await startSandbox('--www', www, '--pkg', bad);
  selfHosted = await startSandbox('--www', www, '--pkg', jsOnly);
  good = await startSandbox('--www', www, '--pkg', pkg.dir);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await badWasm?.stop();
  await selfHosted?.stop();
  await good?.stop();
  cleanUp();
});

// In the page: `settle(promise)` → {ok} or {name, code, ours}; `token()` mints a checkout token.
const HELPERS = `
  window.settle = (p) => Promise.resolve(p).then(
    () => ({ ok: true }),
    (e) => ({ ok: false, name: e && e.name, code: e && e.code, message: e && e.message, key: e && e.key }));
  window.token = async () => (await (await fetch('/api/checkout-token', { method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }) })).json()).token;
  window.gatekeeperToken = async () => (await (await fetch('/api/gatekeeper-token')).text()).trim();
  window.safeOptions = () => ({ apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0',
    baseUrl: location.origin, onAccessTokenExpired: window.gatekeeperToken });
`;

async function open(sandbox, path) {
  const { page, seen } = await watchedPage(browser.context);
  await page.addInitScript(HELPERS);
  await page.goto(sandbox.url + path);
  return { page, seen };
}

const MISMATCH = { ok: false, name: 'NetworkError', code: 'INTEGRITY_MISMATCH' };
const pick = ({ ok, name, code }) => (ok ? { ok } : { ok, name, code });
const noApi = async (sandbox, before, what) => {
  const after = await sandbox.counters();
  assert.equal(after.api_requests, before.api_requests, `${what}: the API saw no request`);
  assert.equal(after.device_registrations, before.device_registrations, `${what}: no device registered`);
};

test('classic page pinned with SRI, tampered checkout_bg.wasm: create() rejects INTEGRITY_MISMATCH and the page shows it; no API request', async () => {
  const before = await badWasm.counters();
  const { page } = await open(badWasm, '/pinned.html');
  await page.waitForFunction(() => document.getElementById('error').textContent !== '', null, { timeout: 15_000 });
  assert.equal(await page.getAttribute('body', 'data-sdk'), 'loaded', 'partner-sdk.js itself passed its SRI check');
  assert.match(await page.textContent('#error'), /^NetworkError \(INTEGRITY_MISMATCH\): /);
  assert.equal(await page.isDisabled('#pay'), true);
  await screenshot(page, 'trust-wasm-refused.png');

  const report = await page.evaluate(async () => {
    const sdk = window.PartnerSDK;
    const error = await sdk.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin }).catch((e) => e);
    return {
      create: await settle(Promise.reject(error)),
      classes: [error instanceof sdk.NetworkError, sdk.isPartnerSdkError(error)],
      ready: await settle(sdk.ready),
      again: await settle(sdk.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin })),
    };
  });
  assert.deepEqual(pick(report.create), MISMATCH);
  assert.match(report.create.message, /SHA-384/);
  assert.deepEqual(report.classes, [true, true]);
  assert.deepEqual(pick(report.ready), MISMATCH, 'PartnerSDK.ready (SafeSDK through the classic script) too');
  assert.deepEqual(pick(report.again), MISMATCH, 'and every later create()');
  await noApi(badWasm, before, 'classic');
  await page.close();
});

test('ESM entries (checkout.js, gatekeeper.js, index.js) with tampered .wasm: ready, create() and initialize() reject INTEGRITY_MISMATCH; no API request', async () => {
  const before = await badWasm.counters();
  const { page } = await open(badWasm, '/blank.html');
  const report = await page.evaluate(async () => {
    const checkout = await import('/pkg/checkout.js');
    const gatekeeper = await import('/pkg/gatekeeper.js');
    const index = await import('/pkg/index.js');
    const accessToken = await token();
    // `new SafeSDK()` still returns with its wasm refused: `initialize()` (which tries
    // to load it again) and `check()` reject with why.
    const safe = async (m) => {
      let sdk;
      try {
        sdk = new m.SafeSDK(safeOptions());
      } catch (e) {
        return { ok: false, constructorThrew: true, name: e && e.name, code: e && e.code, message: e && e.message };
      }
      const shape = [sdk instanceof m.SafeSDK, sdk.deviceId];
      const initialized = await settle(sdk.initialize(await gatekeeperToken()));
      const checked = await settle(sdk.check());
      sdk.destroy();
      return { ...initialized, shape, checked: [checked.name, checked.code] };
    };
    return {
      checkoutReady: await settle(checkout.ready),
      checkoutCreate: await settle(checkout.AlternativeClient.create({ accessToken, baseUrl: location.origin })),
      gatekeeperReady: await settle(gatekeeper.ready),
      gatekeeperInitialize: await safe(gatekeeper),
      indexReady: await settle(index.ready),
      indexCreate: await settle(index.AlternativeClient.create({ accessToken, baseUrl: location.origin })),
      indexInitialize: await safe(index),
    };
  });
  for (const [what, result] of Object.entries(report)) {
    assert.ok(!result.constructorThrew, `${what}: the constructor threw ${JSON.stringify(result)}`);
    assert.deepEqual(pick(result), MISMATCH, `${what}: ${JSON.stringify(result)}`);
    if (result.shape) {
      assert.deepEqual(result.shape, [true, null], `${what}: a SafeSDK, with no device`);
      assert.deepEqual(result.checked, ['NetworkError', 'INTEGRITY_MISMATCH'], `${what}: check() too`);
    }
  }
  await noApi(badWasm, before, 'ESM');
  await page.close();
});

test('init(url) at a tampered copy rejects INTEGRITY_MISMATCH (also init(Response), init(bytes)); the right file from another path works', async () => {
  const before = await selfHosted.counters();
  const { page } = await open(selfHosted, '/blank.html');
  const report = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    const at = (path) => new URL(path, location.href);
    const out = { defaultLocation: await settle(m.ready) }; // pkg/ here has no .wasm beside checkout.js
    out.url = await settle(m.init(at('/tampered/checkout_bg.wasm')));
    out.string = await settle(m.init('/tampered/checkout_bg.wasm'));
    out.response = await settle(m.init(fetch('/tampered/checkout_bg.wasm')));
    out.bytes = await settle(m.init(await (await fetch('/tampered/checkout_bg.wasm')).arrayBuffer()));
    out.createAfter = await settle(m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin }));
    return out;
  });
  assert.deepEqual(pick(report.defaultLocation), { ok: false, name: 'NetworkError', code: 'NETWORK_ERROR' }, 'no .wasm beside the entry: a plain network error');
  for (const how of ['url', 'string', 'response', 'bytes']) assert.deepEqual(pick(report[how]), MISMATCH, `init(${how})`);
  // The message names the file refused, where there is one (bytes have no name).
  const file = `${selfHosted.url}/tampered/checkout_bg.wasm`;
  for (const how of ['url', 'string', 'response']) assert.ok(report[how].message.includes(` for ${file}:`), `init(${how}) names the file: ${report[how].message}`);
  assert.equal(report.bytes.message, 'partner-sdk refused the .wasm: its SHA-384 is not the one this build pinned');
  assert.equal(report.createAfter.ok, false, 'no client while no good wasm has loaded');
  assert.equal(report.createAfter.name, 'NetworkError');
  const refused = await selfHosted.counters();
  assert.equal(refused.api_requests, before.api_requests, 'the API saw no request while the wasm was refused');
  const good = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    const out = { good: await settle(m.init(new URL('/cdn/checkout_bg.wasm', location.href))) };
    const client = await m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
    out.invoice = (await client.get('/v1/invoices/inv_1001')).id;
    return out;
  });
  assert.deepEqual(good.good, { ok: true }, 'init(url) with the right bytes from /cdn/');
  assert.equal(good.invoice, 'inv_1001');
  assert.equal((await selfHosted.counters()).api_requests - before.api_requests, 1, 'then the client calls the API');
  await page.close();
});

test('init(WebAssembly.Module): a module the page compiled itself is used as it is; the client works', async () => {
  const before = await selfHosted.counters();
  const { page } = await open(selfHosted, '/blank.html');
  const report = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    const module = await WebAssembly.compile(await (await fetch('/cdn/checkout_bg.wasm')).arrayBuffer());
    const out = { init: await settle(m.init(module)) };
    const client = await m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
    out.invoice = (await client.get('/v1/invoices/inv_1001')).id;
    return out;
  });
  assert.deepEqual(report.init, { ok: true });
  assert.equal(report.invoice, 'inv_1001');
  assert.equal((await selfHosted.counters()).api_requests - before.api_requests, 1);
  await page.close();
});

test('init(url) through the classic script and the Gatekeeper entry: tampered copies refused, the right ones from /cdn/ work (a SafeSDK built before them too)', async () => {
  const before = await selfHosted.counters();
  const { page } = await open(selfHosted, '/classic.html');
  const classic = await page.evaluate(async () => {
    const sdk = window.PartnerSDK;
    const at = (path) => new URL(path, location.href);
    const out = {
      tampered: await settle(sdk.init({ checkout: at('/tampered/checkout_bg.wasm'), gatekeeper: at('/tampered/gatekeeper_bg.wasm') })),
    };
    out.good = await settle(sdk.init({ checkout: at('/cdn/checkout_bg.wasm'), gatekeeper: at('/cdn/gatekeeper_bg.wasm') }));
    const client = await sdk.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
    out.invoice = (await client.get('/v1/invoices/inv_1001')).id;
    return out;
  });
  assert.deepEqual(pick(classic.tampered), MISMATCH, 'PartnerSDK.init({checkout, gatekeeper}) at tampered copies');
  assert.deepEqual(classic.good, { ok: true });
  assert.equal(classic.invoice, 'inv_1001');
  await page.close();

  const { page: esm } = await open(selfHosted, '/blank.html');
  const gatekeeper = await esm.evaluate(async () => {
    const m = await import('/pkg/gatekeeper.js');
    const at = (path) => new URL(path, location.href);
    const out = { tampered: await settle(m.init(at('/tampered/gatekeeper_bg.wasm'))) };
    // Built while no wasm is loaded: its initialize() loads the wasm (from beside the
    // entry, where there is none here) and says why it cannot.
    const early = new m.SafeSDK(safeOptions());
    out.earlyWithout = await settle(early.initialize(await gatekeeperToken()));
    // One destroyed while no wasm is there says so once the wasm has loaded.
    const destroyed = new m.SafeSDK(safeOptions());
    destroyed.destroy();
    out.destroyedEarly = await settle(destroyed.check());
    // `using sdk = new SafeSDK(…)` on a stand-in: its own free() runs at scope exit.
    const disposable = new m.SafeSDK(safeOptions());
    out.disposeStandIn = await settle((async () => disposable[Symbol.dispose]())());
    out.good = await settle(m.init(at('/cdn/gatekeeper_bg.wasm')));
    out.destroyedCheck = await settle(destroyed.check());
    // Once a good wasm has loaded, the same object works.
    out.registered = (await early.initialize(await gatekeeperToken())).registered;
    out.deviceId = typeof early.deviceId;
    const sdk = new m.SafeSDK(safeOptions());
    out.again = (await sdk.initialize(await gatekeeperToken())).registered;
    return out;
  });
  assert.deepEqual(pick(gatekeeper.tampered), MISMATCH, 'gatekeeper init(url) at a tampered copy');
  assert.deepEqual(pick(gatekeeper.earlyWithout), { ok: false, name: 'NetworkError', code: 'NETWORK_ERROR' }, 'a SafeSDK built without its wasm: initialize() rejects typed');
  assert.deepEqual(pick(gatekeeper.destroyedEarly), { ok: false, name: 'ClientDestroyedError', code: 'CLIENT_DESTROYED' }, 'check() after destroy(), no wasm loaded: nothing fetched');
  assert.deepEqual(pick(gatekeeper.disposeStandIn), { ok: true }, '[Symbol.dispose]() on a stand-in');
  assert.deepEqual(gatekeeper.good, { ok: true });
  assert.deepEqual(pick(gatekeeper.destroyedCheck), { ok: false, name: 'ClientDestroyedError', code: 'CLIENT_DESTROYED' }, 'check() after destroy()');
  assert.equal(gatekeeper.registered, true, 'the SafeSDK built before the good load registers once it is there');
  assert.equal(gatekeeper.deviceId, 'string');
  assert.equal(gatekeeper.again, false, 'and a later one finds the device registered');
  const after = await selfHosted.counters();
  assert.equal(after.api_requests - before.api_requests, 2, 'one invoice GET and one device registration, after the good loads only');
  await esm.close();
});

// `ready` follows the latest load: the default one (no .wasm beside the entry: a 404) is
// overtaken by the page's init(url) in the same task, and its 404 comes back first (held
// 300 ms; the good copy 1.5 s), yet `ready` resolves with the good load.
test('ESM entry with no .wasm beside it: an init(url) made at once decides `ready`, also when the default load\'s 404 comes back first', async () => {
  const { page } = await open(selfHosted, '/blank.html');
  const hold = (ms) => async (route) => {
    await new Promise((done) => setTimeout(done, ms));
    await route.continue();
  };
  await page.route('**/pkg/checkout_bg.wasm', hold(300));
  await page.route('**/cdn/checkout_bg.wasm', hold(1500));
  const out = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    const good = settle(m.init(new URL('/cdn/checkout_bg.wasm', location.href)));
    const ready = await settle(m.ready);
    const client = await m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
    return { ready, good: await good, invoice: (await client.get('/v1/invoices/inv_1001')).id };
  });
  assert.deepEqual(out, { ready: { ok: true }, good: { ok: true }, invoice: 'inv_1001' });
  await page.close();
});

// The wasm requests a page made, seen from the page (Resource Timing) and from Playwright.
async function wasmRequests(page, requests) {
  const entries = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname === '/pkg/checkout_bg.wasm').map((e) => e.initiatorType));
  return { entries, requests: requests.filter((u) => new URL(u).pathname === '/pkg/checkout_bg.wasm').length };
}

test('the docs\' <link rel="preload" as="fetch" crossorigin integrity> of checkout_bg.wasm is what partner-sdk.js uses: one download, the client works', async () => {
  const { page, seen } = await watchedPage(browser.context);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.addInitScript(HELPERS);
  await page.goto(`${good.url}/preloaded.html`);
  const invoice = await page.evaluate(async () => {
    const client = await PartnerSDK.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
    return (await client.get('/v1/invoices/inv_1001')).id;
  });
  assert.equal(invoice, 'inv_1001');
  assert.deepEqual(await wasmRequests(page, requests), { entries: ['link'], requests: 1 }, 'the preload\'s response was reused, not fetched again');
  // Chromium ignores `integrity` on as="fetch" preloads (crbug.com/981419) and says so; it
  // must not warn that the preload went unused or that its mode or credentials differ.
  const other = seen.warnings.filter((w) => !/integrity. attribute is currently ignored for preload/.test(w));
  assert.deepEqual(other, [], 'no other warning');
  assert.deepEqual([...seen.errors, ...seen.pageErrors], []);
  await page.close();
});

test('preloaded tampered checkout_bg.wasm (the page\'s preload carries the right pin): create() still rejects INTEGRITY_MISMATCH; no API request', async () => {
  const before = await badWasm.counters();
  const { page } = await open(badWasm, '/preloaded.html');
  const create = await page.evaluate(async () => settle(PartnerSDK.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin })));
  assert.deepEqual(pick(create), MISMATCH);
  await noApi(badWasm, before, 'preloaded tampered wasm');
  await page.close();
});

test('a .wasm that is not there is a network error naming the HTTP status, never a tamper alarm; init() arguments that cannot be a source are ConfigurationError', async () => {
  const { page } = await open(selfHosted, '/blank.html');
  const report = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    const i = await import('/pkg/index.js');
    const out = {
      defaultLocation: await settle(m.ready), // pkg/ here has no .wasm beside checkout.js
      response404: await settle(m.init(fetch('/missing/checkout_bg.wasm?sig=query-secret'))),
      usedBody: await settle(m.init((async () => {
        const r = await fetch('/cdn/checkout_bg.wasm');
        await r.arrayBuffer();
        return r; // its body already read
      })())),
      number: await settle(m.init(42)),
      object: await settle(m.init({})),
      array: await settle(m.init([])),
      map: await settle(m.init(new Map())),
      indexUrl: await settle(i.init('/cdn/checkout_bg.wasm')),
      indexModule: await settle(i.init(await WebAssembly.compile(await (await fetch('/cdn/checkout_bg.wasm')).arrayBuffer()))),
      indexUnknownKey: await settle(i.init({ checkout: '/cdn/checkout_bg.wasm', checkouts: '/cdn/checkout_bg.wasm' })),
    };
    out.keys = [out.number, out.indexUrl, out.indexModule, out.indexUnknownKey].map((r) => r.key);
    out.indexSources = await settle(i.init({ checkout: '/cdn/checkout_bg.wasm', gatekeeper: '/cdn/gatekeeper_bg.wasm' }));
    // Loaded now: the same arguments are refused all the same.
    out.loaded = await Promise.all([42, {}, null, true, [], new Map(), new Date()].map((bad) => settle(m.init(bad))));
    return out;
  });
  for (const [n, loaded] of report.loaded.entries()) {
    assert.deepEqual(pick(loaded), { ok: false, name: 'ConfigurationError', code: 'INVALID_CONFIGURATION' }, `after the load, case ${n}`);
  }
  for (const how of ['defaultLocation', 'response404']) {
    assert.deepEqual(pick(report[how]), { ok: false, name: 'NetworkError', code: 'NETWORK_ERROR' }, how);
    assert.match(report[how].message, /HTTP 404 for http:\/\/.*checkout_bg\.wasm$/, how);
  }
  assert.doesNotMatch(report.response404.message, /query-secret/, 'no query string in the message');
  assert.deepEqual(pick(report.usedBody), { ok: false, name: 'NetworkError', code: 'NETWORK_ERROR' });
  assert.equal(report.usedBody.message, 'partner-sdk could not load its wasm module');
  for (const how of ['number', 'object', 'array', 'map', 'indexUrl', 'indexModule', 'indexUnknownKey']) {
    assert.deepEqual(pick(report[how]), { ok: false, name: 'ConfigurationError', code: 'INVALID_CONFIGURATION' }, how);
  }
  assert.deepEqual(report.keys, ['init', 'init', 'init', 'checkouts']);
  assert.deepEqual(report.indexSources, { ok: true }, 'the object form still loads');
  // Through the global: the same rule.
  const classic = await open(selfHosted, '/classic.html');
  const fetched = [];
  classic.page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  const global = await classic.page.evaluate(async () => settle(window.PartnerSDK.init('/cdn/checkout_bg.wasm')));
  assert.equal(global.name, 'ConfigurationError');
  // A refused source for one class loads nothing, that class's module included.
  const oneBad = await classic.page.evaluate(async () => [
    await settle(window.PartnerSDK.init({ gatekeeper: {} })),
    await settle(window.PartnerSDK.init({ checkout: '/cdn/checkout_bg.wasm', enrollment: 42 })),
  ]);
  assert.deepEqual(oneBad.map((r) => [r.name, r.key]), [['ConfigurationError', 'gatekeeper'], ['ConfigurationError', 'enrollment']]);
  await new Promise((done) => setTimeout(done, 500)); // (a download would have started by now)
  assert.deepEqual(fetched.filter((p) => /gatekeeper|enrollment|\/cdn\//.test(p)), [], 'nothing fetched for a refused init()');
  await classic.page.close();
  await page.close();
});

test('init() given a promise of something that is not a source is refused without disturbing the load under way', async () => {
  const { page } = await open(selfHosted, '/blank.html');
  const report = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js'); // no .wasm beside it here: only init(url) can load
    const accessToken = await token();
    const load = m.init('/cdn/checkout_bg.wasm');
    const garbage = m.init(Promise.resolve(42));
    const create = m.AlternativeClient.create({ accessToken, baseUrl: location.origin });
    const out = { garbage: await settle(garbage), load: await settle(load), create: await settle(create) };
    const client = await create.catch(() => null);
    if (client) {
      out.invoice = (await client.get('/v1/invoices/inv_1001')).id;
      client.destroy();
    }
    return out;
  });
  await page.close();
  assert.deepEqual(pick(report.garbage), { ok: false, name: 'ConfigurationError', code: 'INVALID_CONFIGURATION' });
  assert.deepEqual(report.load, { ok: true });
  assert.deepEqual(report.create, { ok: true }, 'create() waits for the load under way, not for the refused init()');
  assert.equal(report.invoice, 'inv_1001');

  // After the default location failed (no .wasm there), init(promise of a Response) is the
  // load a create() made meanwhile waits for.
  const second = await open(selfHosted, '/blank.html');
  const after404 = await second.page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    const accessToken = await token();
    const missing = await settle(m.ready);
    const load = m.init(fetch('/cdn/checkout_bg.wasm'));
    const create = m.AlternativeClient.create({ accessToken, baseUrl: location.origin });
    const out = { missing: missing.code, load: await settle(load), create: await settle(create) };
    (await create.catch(() => null))?.destroy();
    return out;
  });
  await second.page.close();
  assert.deepEqual(after404, { missing: 'NETWORK_ERROR', load: { ok: true }, create: { ok: true } });
});

test('init() takes a String object, and a Response or bytes from another realm (an iframe)', async () => {
  const loads = {};
  for (const how of ['string', 'response', 'bytes']) {
    const { page } = await open(selfHosted, '/blank.html');
    loads[how] = await page.evaluate(async (kind) => {
      const m = await import('/pkg/checkout.js'); // no .wasm beside it here
      const frame = document.createElement('iframe');
      document.body.append(frame);
      const other = frame.contentWindow;
      const source = kind === 'string' ? new String('/cdn/checkout_bg.wasm')
        : kind === 'response' ? await other.fetch('/cdn/checkout_bg.wasm')
          : new other.Uint8Array(await (await other.fetch('/cdn/checkout_bg.wasm')).arrayBuffer()).buffer;
      const out = await settle(m.init(source));
      if (out.ok) {
        const client = await m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
        out.invoice = (await client.get('/v1/invoices/inv_1001')).id;
        client.destroy();
      }
      return out;
    }, how);
    await page.close();
  }
  assert.deepEqual(loads, { string: { ok: true, invoice: 'inv_1001' }, response: { ok: true, invoice: 'inv_1001' }, bytes: { ok: true, invoice: 'inv_1001' } });
});

test('a .wasm served without application/wasm still loads, and the SDK writes nothing to the console', async () => {
  const { page, seen } = await open(good, '/blank.html');
  await page.route('**/pkg/checkout_bg.wasm', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
  });
  const invoice = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    const client = await m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
    return (await client.get('/v1/invoices/inv_1001')).id;
  });
  assert.equal(invoice, 'inv_1001');
  assert.deepEqual(seen.warnings, []);
  // (The browser's own line for the blank page's missing favicon is not the SDK's.)
  assert.deepEqual(seen.errors.filter((e) => !e.startsWith('Failed to load resource')), []);
  await page.close();
});

// A time limit of its own: without the deadline, create() would never settle.
test('a .wasm download that stalls ends in NetworkError after the 60 s load deadline, and a later create() loads again', { timeout: 150_000 }, async () => {
  // Meanwhile, on another page: init() given a promise that never settles (a page's own
  // fetch to a host that stalls) gets the same deadline.
  // And init(fetch(url)) whose host sends the head at once, then a byte every 10 s.
  await selfHosted.post('/__sandbox/faults', {
    path: '/v1/invoices/stall', status: 200, headers: { 'content-type': 'application/wasm' }, body_bytes: 1000, trickle_ms: 10_000,
  });
  const trickled = (async () => {
    const { page } = await open(selfHosted, '/blank.html');
    const out = await page.evaluate(async () => {
      const accessToken = await token();
      const m = await import('/pkg/checkout.js');
      const init = m.init(fetch('/v1/invoices/stall'));
      const create = m.AlternativeClient.create({ accessToken, baseUrl: location.origin });
      return { init: await settle(init), create: await settle(create) };
    });
    await page.close();
    return out;
  })();
  // There, no .wasm is beside the entry: that promise is the only load.
  const hung = (async () => {
    const { page } = await open(selfHosted, '/blank.html');
    const out = await page.evaluate(async () => {
      const m = await import('/pkg/checkout.js');
      const accessToken = await token();
      const init = m.init(new Promise(() => {}));
      const create = m.AlternativeClient.create({ accessToken, baseUrl: location.origin });
      const result = { init: await settle(init), create: await settle(create) };
      await m.init('/cdn/checkout_bg.wasm');
      const client = await m.AlternativeClient.create({ accessToken, baseUrl: location.origin });
      result.again = (await client.get('/v1/invoices/inv_1001')).id;
      client.destroy();
      return result;
    });
    await page.close();
    return out;
  })();
  // And where the default load succeeds meanwhile, create() and the page's init() go on
  // with it, not after the page's promise has timed out.
  const raced = (async () => {
    const { page } = await open(good, '/blank.html');
    const out = await page.evaluate(async () => {
      const accessToken = await token();
      const m = await import('/pkg/checkout.js'); // its default load has started, not ended
      const order = [];
      const init = m.init(new Promise(() => {})).then(() => order.push('init loaded'), () => order.push('init failed'));
      const create = m.AlternativeClient.create({ accessToken, baseUrl: location.origin })
        .then((client) => {
          order.push('created');
          client.destroy();
        }, (e) => order.push(`create failed: ${e.name}`));
      await Promise.all([init, create]);
      return order;
    });
    await page.close();
    return out;
  })();
  const { page } = await open(good, '/blank.html');
  let stall = true;
  await page.route('**/pkg/checkout_bg.wasm', (route) => (stall ? undefined : route.continue())); // never answered while stalling
  const stalled = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    return settle(m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin }));
  });
  assert.deepEqual(pick(stalled), { ok: false, name: 'NetworkError', code: 'NETWORK_ERROR' });
  assert.match(stalled.message, /within 60 s/);
  stall = false;
  const again = await page.evaluate(async () => {
    const m = await import('/pkg/checkout.js');
    const client = await m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
    return (await client.get('/v1/invoices/inv_1001')).id;
  });
  assert.equal(again, 'inv_1001');
  await page.close();
  const late = await hung;
  for (const how of ['init', 'create']) {
    assert.deepEqual(pick(late[how]), { ok: false, name: 'NetworkError', code: 'NETWORK_ERROR' }, how);
    assert.match(late[how].message, /within 60 s/, how);
  }
  assert.equal(late.again, 'inv_1001', 'a later init(url) loads');
  for (const [how, late] of Object.entries(await trickled)) {
    assert.deepEqual(pick(late), { ok: false, name: 'NetworkError', code: 'NETWORK_ERROR' }, `stalled body: ${how}`);
    assert.match(late.message, /within 60 s/, how);
  }
  // The page's init() ends with the load that got there first (nothing keeps waiting).
  assert.deepEqual((await raced).sort(), ['created', 'init loaded']);
});

// A pinned fetch that fails tells nothing of why (Chromium rejects a cut connection and
// a wrong byte alike), so the verdict must come from the bytes, not from a guess.
test('the pinned .wasm fetch cut on the way, the same file then served: the page loads (no false INTEGRITY_MISMATCH); cut, then tampered: INTEGRITY_MISMATCH', async () => {
  const checkout = readFileSync(join(pkg.dir, 'checkout_bg.wasm'));
  const pages = [['ESM checkout', '/blank.html'], ['classic', '/classic.html']];
  for (const [what, path] of pages) {
    for (const second of ['same', 'tampered']) {
      const { page } = await watchedPage(browser.context);
      await page.addInitScript(HELPERS);
      let requests = 0;
      await page.route('**/pkg/checkout_bg.wasm', (route) => {
        requests += 1;
        if (requests === 1) return route.abort('connectionreset');
        if (second === 'same') return route.continue();
        return route.fulfill({ status: 200, contentType: 'application/wasm', body: tamperWasm(checkout) });
      });
      await page.goto(good.url + path);
      const report = await page.evaluate(async (classic) => {
        const m = classic ? window.PartnerSDK : await import('/pkg/checkout.js');
        const created = m.AlternativeClient.create({ accessToken: await token(), baseUrl: location.origin });
        const out = { create: await settle(created) };
        if (out.create.ok) out.invoice = (await (await created).get('/v1/invoices/inv_1001')).id;
        return out;
      }, what === 'classic');
      if (second === 'same') {
        assert.deepEqual(pick(report.create), { ok: true }, `${what}: this build's bytes, fetched again, are used`);
        assert.equal(report.invoice, 'inv_1001', what);
      } else {
        assert.deepEqual(pick(report.create), MISMATCH, `${what}: other bytes the second time`);
      }
      assert.ok(requests >= 2, `${what}: fetched again after the cut (${requests} requests)`);
      await page.close();
    }
  }
});
