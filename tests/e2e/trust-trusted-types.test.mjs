// Issue 14, CSP and Trusted Types: www/trusted-types.html adds, in a <meta> CSP on top of
// the sandbox's header CSP, `require-trusted-types-for 'script'; trusted-types 'none'`
// (no policy may even be created) to the strict `script-src 'self' 'wasm-unsafe-eval'`.
// The checkout flow, and SafeSDK through the classic script and the ESM entry, run there
// with no `securitypolicyviolation` event and no console error; a control shows the page
// really enforces Trusted Types.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, startSandbox, watchedPage } from './helpers.mjs';
import { checkoutFlow } from './checkout-flow.mjs';
import { cleanUp, snapshotPkg, wwwCopy } from './trust-kit.mjs';

let sandbox;
let browser;
before(async () => {
  const pkg = await snapshotPkg();
  sandbox = await startSandbox('--www', wwwCopy(pkg.integrity), '--pkg', pkg.dir);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
  cleanUp();
});

const STRICT = /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'$/;

test("trusted-types.html: the checkout flow (load, revoke → one refresh, pay) under require-trusted-types-for 'script' and the strict CSP, no violation", async () => {
  // checkoutFlow fails on any securitypolicyviolation event, console error (but the one
  // 401 it provokes), console warning or page error.
  await checkoutFlow({ sandbox, context: browser.context, path: '/trusted-types.html', shot: 'trust-trusted-types.png' });
});

test('trusted-types.html: SafeSDK through the classic script (gatekeeper.classic.js by dynamic import) and through /pkg/gatekeeper.js, no violation', async () => {
  const { page, seen } = await watchedPage(browser.context);
  await page.goto(`${sandbox.url}/trusted-types.html`);
  assert.match(await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content'), STRICT);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  const report = await page.evaluate(async () => {
    const options = {
      apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
      onAccessTokenExpired: async () => (await fetch('/api/gatekeeper-token')).text(),
    };
    const token = async () => (await fetch('/api/gatekeeper-token')).text();
    await window.PartnerSDK.ready;
    const classic = new window.PartnerSDK.SafeSDK(options);
    const first = await classic.initialize(await token());
    const classicCheck = (await classic.check()).status;
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    const esm = new SafeSDK(options);
    const second = await esm.initialize(await token());
    const esmCheck = (await esm.check()).status;
    return { first: first.registered, classicCheck, second: second.registered, esmCheck };
  });
  assert.deepEqual(report, { first: true, classicCheck: 'Ok', second: false, esmCheck: 'Ok' });
  assert.deepEqual(seen.csp, [], 'CSP / Trusted Types violations');
  assert.deepEqual(seen.errors, [], 'console errors');
  assert.deepEqual(seen.pageErrors, [], 'page errors');
  await page.close();
});

test('control: trusted-types.html really enforces Trusted Types (a string into innerHTML throws and is reported)', async () => {
  const { page, seen } = await watchedPage(browser.context);
  await page.goto(`${sandbox.url}/trusted-types.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  const outcome = await page.evaluate(() => {
    const tried = {};
    try {
      document.createElement('div').innerHTML = '<b>not trusted</b>';
      tried.innerHTML = 'allowed';
    } catch (e) {
      tried.innerHTML = e.name;
    }
    try {
      window.trustedTypes.createPolicy('anything', { createHTML: (s) => s });
      tried.createPolicy = 'allowed';
    } catch (e) {
      tried.createPolicy = e.name;
    }
    return tried;
  });
  assert.deepEqual(outcome, { innerHTML: 'TypeError', createPolicy: 'TypeError' });
  // The violation events reach the test through a binding: wait for them (up to 5 s).
  for (const until = Date.now() + 5_000; Date.now() < until && seen.csp.length < 2;) await page.waitForTimeout(50);
  assert.ok(seen.csp.some((v) => /require-trusted-types-for/.test(v)), `violation reported: ${JSON.stringify(seen.csp)}`);
  assert.ok(seen.csp.some((v) => /trusted-types/.test(v)));
  await page.close();
});
