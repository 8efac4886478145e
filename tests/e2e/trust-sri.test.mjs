// Issue 14, Subresource Integrity for the classic script: www/pinned.html pins
// /pkg/partner-sdk.js with `integrity` + `crossorigin` and pays the demo invoice; the same
// page with one byte of the script changed is blocked by the browser, says so, and calls
// nothing. The README's snippet (and every pinned page/doc) carries this build's hash.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, root, screenshot, startSandbox, watchedPage } from './helpers.mjs';
import { checkoutFlow } from './checkout-flow.mjs';
import { cleanUp, snapshotPkg, sri, tamperJs, tempDir, wwwCopy } from './trust-kit.mjs';
import { PINNED_FILES, pinText } from '../../scripts/readme-integrity.mjs';

let pkg;
let www;
let good;
let tampered;
let browser;
before(async () => {
  pkg = await snapshotPkg();
  www = wwwCopy(pkg.integrity);
  const bad = tempDir('pkg-bad-js');
  for (const file of Object.keys(pkg.integrity).concat('integrity.json')) {
    writeFileSync(join(bad, file), readFileSync(join(pkg.dir, file)));
  }
  writeFileSync(join(bad, 'partner-sdk.js'), tamperJs(readFileSync(join(pkg.dir, 'partner-sdk.js'))));
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

const scriptTag = (page) => page.$eval('script[src="/pkg/partner-sdk.js"]', (s) => [s.integrity, s.crossOrigin]);

test('pinned.html: partner-sdk.js pinned with integrity + crossorigin loads and pays the demo invoice', async () => {
  const before = await good.counters();
  await checkoutFlow({ sandbox: good, context: browser.context, path: '/pinned.html', shot: 'trust-pinned.png' });
  const after = await good.counters();
  assert.equal(after.payments_created - before.payments_created, 1, 'POST /v1/invoices/inv_1001/payments made one payment');

  const { page } = await watchedPage(browser.context);
  await page.goto(`${good.url}/pinned.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  assert.deepEqual(await scriptTag(page), [pkg.integrity['partner-sdk.js'], 'anonymous'], 'the tag the browser checked');
  assert.equal(await page.getAttribute('body', 'data-sdk'), 'loaded');
  await page.close();
});

test('pinned.html with one byte of partner-sdk.js changed: the browser blocks it, the page says so, no API call', async () => {
  const { page, seen } = await watchedPage(browser.context);
  const served = [];
  page.on('response', (r) => served.push(`${r.status()} ${new URL(r.url()).pathname}`));
  const before = await tampered.counters();
  await page.goto(`${tampered.url}/pinned.html`);
  await page.waitForSelector('body[data-sdk="blocked"]', { timeout: 15_000 });
  await page.waitForTimeout(500); // anything the page would still do

  assert.ok(served.includes('200 /pkg/partner-sdk.js'), 'the server did send the changed script');
  assert.equal(await page.evaluate(() => typeof window.PartnerSDK), 'undefined', 'and the browser did not run it');
  assert.ok(!served.some((s) => s.endsWith('.wasm')), 'so no .wasm was even fetched');
  assert.match(await page.textContent('#error'), /Payment is unavailable: the browser refused the payment SDK/);
  assert.equal(await page.textContent('#invoice-id'), 'unavailable');
  assert.equal(await page.isDisabled('#pay'), true, 'Pay stays disabled');
  assert.ok(
    seen.errors.some((e) => /integrity/.test(e) && /partner-sdk\.js/.test(e)),
    `Chromium reports the SRI failure: ${JSON.stringify(seen.errors)}`,
  );
  const after = await tampered.counters();
  assert.equal(after.api_requests, before.api_requests, 'the API saw no request');
  assert.equal(after.tokens_issued.backend_checkout, before.tokens_issued.backend_checkout, 'not even a token was asked for');
  await screenshot(page, 'trust-pinned-blocked.png');
  await page.close();

  // Control: the unpinned page runs the very same changed script without noticing.
  const { page: plain } = await watchedPage(browser.context);
  await plain.goto(`${tampered.url}/`);
  await plain.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  assert.equal(await plain.textContent('#invoice-id'), 'inv_1001', 'without integrity the changed script runs');
  await plain.close();
});

test("README's script-tag snippet pins partner-sdk.js with this build's hash and crossorigin", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Script tag'));
  const tag = /<script src="[^"]*\/partner-sdk\.js"[^>]*>/.exec(section);
  assert.ok(tag, 'README "Script tag" section has a <script src=".../partner-sdk.js"> tag');
  const integrity = /\bintegrity="([^"]+)"/.exec(tag[0]);
  assert.ok(integrity, `the README tag has an integrity attribute: ${tag[0]}`);
  assert.match(tag[0], /\bcrossorigin="anonymous"/, 'and crossorigin="anonymous"');
  const built = sri(readFileSync(join(pkg.dir, 'partner-sdk.js')));
  assert.equal(built, pkg.integrity['partner-sdk.js'], 'pkg/integrity.json matches the built partner-sdk.js');
  assert.equal(
    integrity[1],
    built,
    'README.md pins another partner-sdk.js than the one built: run `node scripts/readme-integrity.mjs` (after `node scripts/build.mjs`) and commit README.md',
  );
});

test('every pinned doc and demo page carries the hashes of pkg/integrity.json', () => {
  for (const file of PINNED_FILES) {
    const text = readFileSync(join(root, file), 'utf8');
    assert.ok(text.includes('sha384-'), `${file} shows at least one hash`);
    assert.ok(
      pinText(text, pkg.integrity) === text,
      `${file} has hashes of another build: run \`node scripts/readme-integrity.mjs\` (after \`node scripts/build.mjs\`) and commit it`,
    );
  }
});
