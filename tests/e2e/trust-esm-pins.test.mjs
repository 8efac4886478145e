// Issue 14, pinning what a <script integrity> cannot reach: the ES modules (pinned with
// <link rel="modulepreload" integrity>, or by an import map that holds under no-store, as
// docs/checkout-pages.md shows) and
// gatekeeper.classic.js, which partner-sdk.js loads by dynamic import() for SafeSDK
// (pinned with an import map's "integrity" section). A changed byte in either is refused
// and the API sees no request; the right files work.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, startSandbox, watchedPage } from './helpers.mjs';
import { cleanUp, snapshotPkg, tamperJs, tempDir, wwwCopy } from './trust-kit.mjs';

let pkg;
let good;
let tampered;
let browser;
let importMap;
let esmMap;
before(async () => {
  pkg = await snapshotPkg();
  const pin = pkg.integrity;
  // The page's own module: imports the checkout entry, pays, and says what happened.
  const pageScript = `
    const say = (result, text) => { document.body.dataset.result = result; document.getElementById('out').textContent = text; };
    try {
      const { AlternativeClient } = await import('/pkg/checkout.js');
      const r = await fetch('/api/checkout-token', { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }) });
      const client = await AlternativeClient.create({ accessToken: (await r.json()).token, baseUrl: location.origin });
      const invoice = await client.get('/v1/invoices/inv_1001');
      const payment = await client.post('/v1/invoices/inv_1001/payments', { amount: invoice.amount, currency: invoice.currency });
      say('paid', 'Payment ' + payment.status);
    } catch (error) {
      say('refused', 'Payment is unavailable: the payment SDK did not load (' + error.message + ')');
    }
  `;
  const preloaded = `<!doctype html><meta charset="utf-8"><title>ES modules pinned by modulepreload</title><link rel="icon" href="/favicon.svg">
<link rel="modulepreload" href="/pkg/checkout.js" integrity="${pin['checkout.js']}">
<link rel="modulepreload" href="/pkg/errors.js" integrity="${pin['errors.js']}">
<script type="module" src="/esm-pinned.js"></script>
<p id="out">loading…</p>
`;
  importMap = JSON.stringify({ integrity: { '/pkg/gatekeeper.classic.js': pin['gatekeeper.classic.js'] } });
  const mapped = `<!doctype html><meta charset="utf-8"><title>gatekeeper.classic.js pinned by an import map</title><link rel="icon" href="/favicon.svg">
<script type="importmap">${importMap}</script>
<script src="/pkg/partner-sdk.js" integrity="${pin['partner-sdk.js']}" crossorigin="anonymous"></script>
`;
  esmMap = JSON.stringify({ integrity: { '/pkg/checkout.js': pin['checkout.js'], '/pkg/errors.js': pin['errors.js'] } });
  const esmMapped = `<!doctype html><meta charset="utf-8"><title>ES modules pinned by an import map</title><link rel="icon" href="/favicon.svg">
<script type="importmap">${esmMap}</script>
<script type="module" src="/esm-pinned.js"></script>
<p id="out">loading…</p>
`;
  const www = wwwCopy(pin, {
    'esm-pinned.html': preloaded, 'esm-pinned.js': pageScript, 'importmap.html': mapped, 'esm-mapped.html': esmMapped,
  });

  const bad = tempDir('pkg-bad-modules');
  cpSync(pkg.dir, bad, { recursive: true });
  for (const file of ['checkout.js', 'gatekeeper.classic.js']) {
    writeFileSync(join(bad, file), tamperJs(readFileSync(join(pkg.dir, file))));
  }
  good = await startSandbox('--www', www, '--pkg', pkg.dir);
  tampered = await startSandbox('--www', www, '--pkg', bad);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await good?.stop();
  await tampered?.stop();
  cleanUp();
});

/** `path` with its import map's hash added to the sandbox's CSP (an inline script). */
async function allowMap(page, path, map) {
  const hash = `'sha256-${createHash('sha256').update(map).digest('base64')}'`;
  await page.route(`**${path}`, async (route) => {
    const response = await route.fetch();
    const headers = response.headers();
    headers['content-security-policy'] = headers['content-security-policy'].replace("'wasm-unsafe-eval'", `'wasm-unsafe-eval' ${hash}`);
    await route.fulfill({ response, headers });
  });
}

async function preloadedPage(sandbox, path = '/esm-pinned.html', prepare = async () => {}) {
  const { page, seen } = await watchedPage(browser.context);
  await prepare(page);
  const wasm = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(r.url()); });
  await page.goto(`${sandbox.url}${path}`);
  await page.waitForSelector('body[data-result]', { timeout: 15_000 });
  return { page, seen, wasm, result: await page.getAttribute('body', 'data-result'), text: await page.textContent('#out') };
}

test('ES modules pinned with <link rel="modulepreload" integrity>: the right files pay; a changed checkout.js is refused, no API request', async () => {
  const ok = await preloadedPage(good);
  assert.deepEqual([ok.result, ok.text], ['paid', 'Payment succeeded']);
  assert.deepEqual(ok.seen.csp, []);
  assert.deepEqual(ok.seen.errors, []);
  await ok.page.close();

  const before = await tampered.counters();
  const bad = await preloadedPage(tampered);
  assert.equal(bad.result, 'refused');
  assert.match(bad.text, /^Payment is unavailable: the payment SDK did not load/);
  assert.deepEqual(bad.wasm, [], 'the changed module never ran (it did not even fetch its .wasm)');
  assert.ok(bad.seen.errors.some((e) => /integrity/.test(e) && /checkout\.js/.test(e)), `Chromium reports the SRI failure: ${JSON.stringify(bad.seen.errors)}`);
  const after = await tampered.counters();
  assert.equal(after.api_requests, before.api_requests, 'the API saw no request');
  await bad.page.close();
});

// A host that sends `Cache-Control: no-store` defeats modulepreload's pin (Chromium drops
// the preloaded response and the import fetches the module again, unpinned): an import
// map's integrity holds there too.
test('ES modules pinned by an import map hold even when the host sends Cache-Control: no-store: the right files pay; a changed checkout.js is refused, no API request', async () => {
  const noStore = async (page) => {
    await allowMap(page, '/esm-mapped.html', esmMap);
    await page.route('**/pkg/*.js', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'cache-control': 'no-store' } });
    });
  };
  const ok = await preloadedPage(good, '/esm-mapped.html', noStore);
  assert.deepEqual([ok.result, ok.text], ['paid', 'Payment succeeded']);
  assert.deepEqual(ok.seen.csp, []);
  assert.deepEqual(ok.seen.errors, []);
  await ok.page.close();

  const before = await tampered.counters();
  const bad = await preloadedPage(tampered, '/esm-mapped.html', noStore);
  assert.equal(bad.result, 'refused');
  assert.deepEqual(bad.wasm, [], 'the changed module never ran');
  const after = await tampered.counters();
  assert.equal(after.api_requests, before.api_requests, 'the API saw no request');
  await bad.page.close();
});

/** importmap.html, with the sandbox's CSP plus the import map's hash (an inline script). */
async function mappedPage(sandbox) {
  const { page, seen } = await watchedPage(browser.context);
  await allowMap(page, '/importmap.html', importMap);
  await page.goto(`${sandbox.url}/importmap.html`);
  const report = await page.evaluate(async () => {
    const out = {};
    try {
      await window.PartnerSDK.ready;
      const token = async () => (await fetch('/api/gatekeeper-token')).text();
      const sdk = new window.PartnerSDK.SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin, onAccessTokenExpired: token,
      });
      out.registered = (await sdk.initialize(await token())).registered;
      out.check = (await sdk.check()).status;
    } catch (e) {
      out.error = { name: e && e.name, code: e && e.code, message: e && e.message };
    }
    return out;
  });
  return { page, seen, report };
}

test('gatekeeper.classic.js (SafeSDK through the classic script) pinned by an import map: the right file works; a changed one is refused, no API request', async () => {
  const ok = await mappedPage(good);
  assert.deepEqual(ok.report, { registered: true, check: 'Ok' });
  assert.deepEqual(ok.seen.csp, [], 'the import map is allowed by its hash');
  assert.deepEqual(ok.seen.errors, []);
  await ok.page.close();

  const before = await tampered.counters();
  const bad = await mappedPage(tampered);
  assert.ok(bad.report.error, `PartnerSDK.ready rejects: ${JSON.stringify(bad.report)}`);
  assert.ok(bad.seen.errors.some((e) => /integrity/.test(e) && /gatekeeper\.classic\.js/.test(e)), `Chromium reports the SRI failure: ${JSON.stringify(bad.seen.errors)}`);
  const after = await tampered.counters();
  assert.equal(after.api_requests, before.api_requests, 'the API saw no request');
  assert.equal(after.device_registrations, before.device_registrations);
  // Today this rejection is the browser's bare TypeError ("Failed to fetch dynamically
  // imported module"), not a typed NetworkError: reported in issue 14.
  await bad.page.close();
});
