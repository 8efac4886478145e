// The checkout demo as a user sees it, for index.html (script tag) and esm.html (module).
import assert from 'node:assert/strict';
import { JWT, NETWORK_401, screenshot, watchedPage } from './helpers.mjs';

const kinds = (page) => page.$$eval('#events li', (items) => items.map((li) => li.dataset.event));

/** Loads `path`, checks the invoice, revokes, and checks the recovery took one refresh. */
export async function checkoutFlow({ sandbox, context, path, shot }) {
  const { page, seen } = await watchedPage(context);
  const fetched = [];
  page.on('request', (r) => {
    const { pathname } = new URL(r.url());
    if (pathname.startsWith('/pkg/')) fetched.push(pathname.slice('/pkg/'.length));
  });
  const response = await page.goto(sandbox.url + path);
  assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'(;|$)/);

  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  assert.equal(await page.textContent('#invoice-id'), 'inv_1001');
  assert.equal(await page.textContent('#invoice-amount'), '$49.99');
  assert.equal(await page.textContent('#claim-invoice'), 'inv_1001');
  assert.match(await page.textContent('#expires-in'), /^\d+ s$/);
  assert.deepEqual(await kinds(page), ['issued']);

  const before = await sandbox.counters();
  await page.click('#revoke');
  await page.waitForSelector('#invoice[data-loads="2"]', { timeout: 15_000 });
  const after = await sandbox.counters();
  assert.equal(after.tokens_issued.backend_checkout - before.tokens_issued.backend_checkout, 1, 'exactly one new token');
  assert.equal(after.unauthorized - before.unauthorized, 1, 'one 401');
  assert.equal(after.api_requests - before.api_requests, 2, 'the refused GET and its one retry');
  assert.deepEqual(await kinds(page), ['issued', 'revoked', 'refused', 'issued', 'refreshed']);
  // A fresh token is not due for refresh: the page says a 401 is coming, and counts what the
  // sandbox revoked as what it is (every token it had issued, of all kinds).
  assert.match(
    await page.textContent('[data-event="revoked"]'),
    /the sandbox revoked \d+ tokens? \(all it had issued\); reloading the invoice with the current token: the API should answer 401/,
  );
  assert.match(await page.textContent('[data-event="refreshed"]'), /reason: unauthorized/);

  await page.click('#pay');
  await page.waitForSelector('#payment-result[data-status="succeeded"]');
  assert.match(await page.textContent('#payment-result'), /^Payment pay_\w+ succeeded: \$49\.99$/);
  const paid = await sandbox.counters();
  assert.equal(paid.tokens_issued.backend_checkout, after.tokens_issued.backend_checkout, 'no refresh to pay');
  assert.equal(paid.unauthorized, after.unauthorized);

  assert.doesNotMatch(await page.textContent('body'), JWT, 'the page never shows a token');
  const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]));
  assert.doesNotMatch(stored, JWT, 'nor stores one');
  await screenshot(page, shot);

  // The one 401 is the browser's network log of the refused request, not a script error.
  assert.deepEqual(seen.http, ['401 /v1/invoices/inv_1001']);
  assert.equal(seen.errors.filter((e) => NETWORK_401.test(e)).length, 1);
  assert.deepEqual(seen.errors.filter((e) => !NETWORK_401.test(e)), [], 'console errors');
  assert.deepEqual(seen.warnings, [], 'console warnings');
  assert.deepEqual(seen.pageErrors, [], 'page errors');
  assert.deepEqual(seen.csp, [], 'CSP violations');
  if (path === '/') {
    // The script tag loads the checkout wasm only: SafeSDK's and the card form's files
    // wait for PartnerSDK.ready or the first openForm(), which this page never uses.
    assert.deepEqual(fetched.sort(), ['checkout_bg.wasm', 'partner-sdk.js'], JSON.stringify(fetched));
  }
  if (path === '/esm.html') {
    // The module page imports AlternativeClient's own entry: no SafeSDK or card-form files.
    assert.deepEqual(fetched.sort(), ['checkout.js', 'checkout_bg.wasm', 'errors.js'], JSON.stringify(fetched));
  }
  await page.close();
}
