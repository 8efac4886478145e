// The README's quickstarts, pasted as is: their code blocks are copied out of README.md
// into a folder the sandbox serves, and run in Chromium under the sandbox's CSP.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser, root, startSandbox, watchedPage } from './helpers.mjs';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```(html|js)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang, code }));
const block = (lang, needle) => {
  const found = blocks.find((b) => b.lang === lang && b.code.includes(needle));
  assert.ok(found, `README has a ${lang} block containing ${needle}`);
  return found.code;
};

let dir;
let sandbox;
let browser;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'partner-sdk-readme-'));
  writeFileSync(join(dir, 'checkout.html'), block('html', '/checkout-quickstart.js'));
  writeFileSync(join(dir, 'checkout-quickstart.js'), block('js', 'PartnerSDK.AlternativeClient.create'));
  writeFileSync(join(dir, 'safe.html'), block('html', '/safe.js'));
  writeFileSync(join(dir, 'safe.js'), block('js', 'new SafeSDK('));
  writeFileSync(join(dir, 'card.html'), block('html', '/card.js'));
  writeFileSync(join(dir, 'card.js'), block('js', 'CardEnrollment.openForm('));
  // The vendor role on its own port, as npm start runs it: the card form is cross-origin.
  sandbox = await startSandbox('--www', dir, '--vendor-port', '0');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// The .wasm files a page fetched, by name: each quickstart loads only its own class's.
const wasmFetched = (page) => {
  const names = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith('.wasm')) names.push(path.slice(path.lastIndexOf('/') + 1));
  });
  return names;
};

const noErrors = (seen) => {
  assert.deepEqual(seen.pageErrors, []);
  assert.deepEqual(seen.csp, []);
  assert.deepEqual(seen.errors.filter((e) => !/404 \(Not Found\)/.test(e)), []);
};

test('README AlternativeClient quickstart pays the demo invoice', async () => {
  const { page, seen } = await watchedPage(browser.context);
  await page.goto(`${sandbox.url}/checkout.html`);
  await page.waitForFunction(() => document.getElementById('out').textContent !== 'loading…', null, { timeout: 15_000 });
  assert.equal(await page.textContent('#out'), 'Demo order: succeeded');
  noErrors(seen);
});

test('README SafeSDK quickstart registers the device and checks Ok', async () => {
  const { page, seen } = await watchedPage(browser.context);
  const wasm = wasmFetched(page);
  await page.goto(`${sandbox.url}/safe.html`);
  await page.waitForFunction(() => document.getElementById('out').textContent.includes('check:'), null, { timeout: 15_000 });
  const text = await page.textContent('#out');
  assert.match(text, /initialize: \{"deviceId":"dev_\w+","registered":true\}/);
  assert.match(text, /check: \{.*"status":"Ok"/);
  assert.deepEqual(wasm, ['gatekeeper_bg.wasm']);
  noErrors(seen);
});

test('README CardEnrollment quickstart enrols a test card through the cross-origin form', async () => {
  const { page, seen } = await watchedPage(browser.context);
  const wasm = wasmFetched(page);
  await page.goto(`${sandbox.url}/card.html`);
  await page.click('#add');
  const frame = page.frameLocator('iframe');
  await frame.locator('#submit:not([disabled])').waitFor();
  assert.notEqual(new URL(await page.getAttribute('iframe', 'src')).origin, new URL(sandbox.url).origin);
  await frame.locator('#number').pressSequentially('4242424242424242');
  await frame.locator('#expiry').fill('12/34');
  await frame.locator('#cvc').fill('123');
  await frame.locator('#submit').click();
  await page.waitForFunction(() => document.getElementById('out').textContent !== '', null, { timeout: 15_000 });
  assert.equal(await page.textContent('#out'), 'enrolled visa 4242');
  assert.deepEqual(wasm, ['enrollment_bg.wasm']);
  noErrors(seen);
});
