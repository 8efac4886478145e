// What a new user of the checkout demo pages (index.html, esm.html) sees when things go
// wrong: a declined or lost payment, a revoke while the token is due anyway, a token that
// expired while the page sat idle, a first load or a reload that failed, and keyboard use;
// and the card enrollment page whose settings did not load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandboxAndBrowser, watchedPage } from './helpers.mjs';

const env = sandboxAndBrowser();

const PAGES = ['/', '/esm.html'];
const PAYMENTS = '/v1/invoices/inv_1001/payments';
const kinds = (page) => page.$$eval('#events li', (items) => items.map((li) => li.dataset.event));
const lines = (page, kind) => page.$$eval(`#events li[data-event="${kind}"]`, (items) => items.map((li) => li.textContent));

async function open(path) {
  const { page, seen } = await watchedPage(env.browser.context);
  await page.goto(env.sandbox.url + path);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  return { page, seen };
}

async function pay(page, status) {
  await page.click('#pay');
  await page.waitForSelector(`#payment-result[data-status="${status}"]`, { timeout: 15_000 });
  return page.textContent('#payment-result');
}

for (const path of PAGES) {
  test(`${path}: a declined Pay after a successful one says so under the button, with the API's status and description; so does a Pay that got no answer`, async () => {
    const { page, seen } = await open(path);
    assert.match(await pay(page, 'succeeded'), /^Payment pay_\w+ succeeded/);

    // Held 3 s: while it runs, the line says so and nothing of the previous payment is shown.
    await env.sandbox.post('/__sandbox/faults', {
      path: PAYMENTS, status: 402, delay_ms: 3000,
      body: JSON.stringify({ error: 'card_declined', error_description: 'the card was declined' }),
    });
    await page.click('#pay');
    await page.waitForSelector('#payment-result[data-status="pending"]', { timeout: 2_500 });
    assert.equal(await page.textContent('#payment-result'), 'Paying…');
    await page.waitForSelector('#payment-result[data-status="failed"]', { timeout: 15_000 });
    const declined = await page.textContent('#payment-result');
    assert.doesNotMatch(declined, /succeeded/);
    assert.match(declined, /^Payment failed \(ApiError 402 card_declined\): the card was declined$/);
    assert.match((await lines(page, 'error')).join('\n'), /payment failed \(ApiError 402 card_declined\)/);
    assert.equal(await page.textContent('#error'), '', 'the failure is shown under Pay, not only in the log');

    // Offline: every attempt (the SDK retries a POST with an Idempotency-Key) loses its
    // connection.
    const before = await env.sandbox.counters();
    // (count 20: Chromium itself resends a request whose reused connection closed.)
    await env.sandbox.post('/__sandbox/faults', { path: PAYMENTS, drop_connection: true, count: 20 });
    const lost = await pay(page, 'unknown');
    assert.match(lost, /^Payment not confirmed \(NetworkError NETWORK_ERROR\): .+ same Idempotency-Key/);
    await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    assert.match(await pay(page, 'succeeded'), /^Payment pay_\w+ succeeded/);
    const after = await env.sandbox.counters();
    assert.equal(after.payments_created - before.payments_created, 1, 'the lost payment and its resend made one payment');
    assert.deepEqual([seen.pageErrors, seen.csp], [[], []]);
    await page.close();
  });
}

test('Pay and Reload invoice pressed with the keyboard keep the focus', async () => {
  const { page } = await open('/');
  for (const id of ['reload', 'pay']) {
    const loads = Number(await page.getAttribute('#invoice', 'data-loads'));
    await page.focus(`#${id}`);
    await page.keyboard.press('Enter');
    if (id === 'reload') await page.waitForSelector(`#invoice[data-loads="${loads + 1}"]`, { timeout: 15_000 });
    else await page.waitForSelector('#payment-result[data-status="succeeded"]', { timeout: 15_000 });
    await page.waitForFunction(() => !document.querySelector('[aria-disabled="true"], #pay:disabled, #reload:disabled'), null, { timeout: 5_000 });
    assert.equal(await page.evaluate(() => document.activeElement.id), id, `focus stays on #${id}`);
  }
  // Space works too.
  await page.keyboard.press('Space');
  await page.waitForSelector('#payment-result[data-status]:not([data-status="pending"])', { timeout: 15_000 });
  await page.waitForFunction(() => !document.querySelector('[aria-disabled="true"]'), null, { timeout: 15_000 });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'pay');
  await page.close();
});

test('Revoke with a token not yet due: the log says a 401 is coming and how many tokens the sandbox revoked', async () => {
  const { page } = await open('/');
  const before = await env.sandbox.counters();
  await page.click('#revoke');
  await page.waitForSelector('#invoice[data-loads="2"]', { timeout: 15_000 });
  const [revoked] = await lines(page, 'revoked');
  assert.match(revoked, /the sandbox revoked \d+ tokens? \(all it had issued\); reloading the invoice with the current token: the API should answer 401/);
  assert.equal((await env.sandbox.counters()).unauthorized - before.unauthorized, 1);
  await page.close();
});

test('Revoke with a token already due for refresh: the log says the SDK refreshes first, and there is no 401', async () => {
  // 35 s tokens with the 30 s leeway are due 5 s after they are issued (as 60 s tokens are after 30 s with npm start).
  await env.sandbox.post('/__sandbox/lifetimes', { checkout: 35 });
  try {
    const { page } = await open('/');
    // Well inside the leeway (not at its edge, where the page says it cannot tell).
    await page.waitForFunction(() => parseInt(document.getElementById('expires-in').textContent, 10) <= 27, null, { timeout: 15_000 });
    const before = await env.sandbox.counters();
    await page.click('#revoke');
    await page.waitForSelector('#invoice[data-loads="2"]', { timeout: 15_000 });
    const [revoked] = await lines(page, 'revoked');
    assert.match(revoked, /due for refresh anyway \(it expires in \d+ s, inside the 30 s leeway\): the SDK refreshes before sending, so no 401/);
    assert.doesNotMatch(revoked, /with the old one|should answer 401/);
    const after = await env.sandbox.counters();
    assert.equal(after.unauthorized - before.unauthorized, 0, 'no 401, as the page said');
    assert.deepEqual((await kinds(page)).slice(-4), ['revoked', 'expiring', 'issued', 'refreshed']);
    assert.match((await lines(page, 'refreshed')).at(-1), /reason: expiring/);
    await page.close();
  } finally {
    await env.sandbox.post('/__sandbox/lifetimes', { checkout: 900 });
  }
});

test('a token that expired while the page sat idle reads "expired N s ago", not "expires in 0 s"', async () => {
  await env.sandbox.post('/__sandbox/lifetimes', { checkout: 3 });
  try {
    const { page } = await open('/');
    await page.waitForFunction(() => /^expired [1-9]\d* s ago$/.test(document.getElementById('expires-in').textContent), null, { timeout: 15_000 });
    await page.click('#reload');
    await page.waitForSelector('#invoice[data-loads="2"]', { timeout: 15_000 });
    const expiring = (await lines(page, 'expiring')).at(-1);
    assert.match(expiring, /the token expired \d+ s ago/);
    assert.doesNotMatch(expiring, /expires in 0 s/);
    await page.close();
  } finally {
    await env.sandbox.post('/__sandbox/lifetimes', { checkout: 900 });
  }
});

for (const [path, fault, shown] of [
  ['/', { path: '/api/checkout-token', status: 500 }, /\/api\/checkout-token answered 500/],
  // GETs are retried twice: three 503s make the first load fail.
  ['/esm.html', { path: '/v1/invoices/inv_1001', status: 503, count: 3 }, /ApiError 503/],
]) {
  test(`${path}: a failed first load shows "unavailable" with the error and a Try again button that loads the page's checkout`, async () => {
    await env.sandbox.post('/__sandbox/faults', fault);
    const { page } = await watchedPage(env.browser.context);
    await page.goto(env.sandbox.url + path);
    await page.waitForSelector('#unavailable:not([hidden])', { timeout: 15_000 });
    assert.equal(await page.textContent('#invoice-id'), 'unavailable');
    assert.match(await page.textContent('#load-error'), shown);
    assert.equal(await page.isDisabled('#pay'), true, 'no Pay without an invoice');
    assert.equal(await page.isVisible('#retry'), true);
    await page.click('#retry');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    assert.equal(await page.textContent('#invoice-id'), 'inv_1001');
    assert.equal(await page.isVisible('#unavailable'), false);
    assert.equal(await page.textContent('#error'), '');
    assert.equal(await page.isDisabled('#pay'), false);
    assert.match(await pay(page, 'succeeded'), /^Payment pay_\w+ succeeded/);
    await page.close();
  });
}

for (const path of PAGES) {
  test(`${path}: a failed Reload invoice says so on the invoice, which then reads as the earlier one; the next reload clears it`, async () => {
    const { page } = await open(path);
    // GETs are retried twice: three 503s make the reload fail.
    await env.sandbox.post('/__sandbox/faults', { path: '/v1/invoices/inv_1001', status: 503, count: 3 });
    await page.click('#reload');
    await page.waitForSelector('#invoice[data-stale="true"]', { timeout: 15_000 });
    assert.match(await page.textContent('#invoice-loaded'), /^Reload failed \(ApiError 503 .*\. Shown: the invoice as loaded before\.$/);
    assert.equal(await page.textContent('#invoice-id'), 'inv_1001');
    await page.click('#reload');
    await page.waitForFunction(() => !document.getElementById('invoice').dataset.stale, null, { timeout: 15_000 });
    assert.match(await page.textContent('#invoice-loaded'), /^Loaded at .* \(2×\)\.$/);
    await page.close();
  });
}

test('enrollment.html: settings that did not load show "unavailable" with the reason and a Try again that sets the page up', async () => {
  await env.sandbox.post('/__sandbox/faults', { path: '/api/enrollment-config', status: 500 });
  const { page, seen } = await watchedPage(env.browser.context);
  await page.goto(`${env.sandbox.url}/enrollment.html`);
  await page.waitForSelector('#unavailable:not([hidden])', { timeout: 15_000 });
  assert.equal(await page.textContent('#company'), 'unavailable');
  assert.match(await page.textContent('#load-error'), /could not be set up: \/api\/enrollment-config answered 500/);
  assert.equal(await page.isDisabled('#open'), true, 'no form without its settings');
  assert.match(await page.textContent('#error'), /enrollment-config answered 500/, 'announced in the alert region');
  await page.click('#retry');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  assert.notEqual(await page.textContent('#company'), 'unavailable');
  assert.equal(await page.isVisible('#unavailable'), false);
  assert.equal(await page.isDisabled('#open'), false);
  assert.deepEqual(seen.pageErrors, []);
  await page.close();
});

// The SDK file a page loads (its script, or the ES module its own module imports) not
// served: the page's code never runs, and the page says so instead of "loading…" forever.
for (const [path, sdkFile] of [
  ['/', '/pkg/partner-sdk.js'],
  ['/esm.html', '/pkg/checkout.js'],
  ['/gatekeeper.html', '/pkg/gatekeeper.js'],
  ['/enrollment.html', '/pkg/enrollment.js'],
]) {
  test(`${path}: ${sdkFile} not served shows "unavailable" with the reason, asks the backend for nothing, and Try again reloads`, async () => {
    const { page } = await watchedPage(env.browser.context);
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.route(`${env.sandbox.url}${sdkFile}`, (route) => route.fulfill({ status: 404, body: 'not here' }));
    await page.goto(env.sandbox.url + path);
    await page.waitForSelector('#unavailable:not([hidden])', { timeout: 15_000 });
    assert.match(await page.textContent('#load-error'), /could not load .*cannot run/);
    assert.equal(await page.getAttribute('body', 'data-ready'), 'false');
    assert.deepEqual(requests.filter((p) => p.startsWith('/api/')), [], 'no token was asked for');
    await page.unroute(`${env.sandbox.url}${sdkFile}`);
    await Promise.all([page.waitForEvent('load'), page.click('#retry')]);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await page.close();
  });
}

test('Revoke while the backend is down: the log says why the token refresh failed, not only TokenRefreshError', async () => {
  const { page } = await open('/');
  await env.sandbox.post('/__sandbox/faults', { path: '/api/checkout-token', status: 500 });
  try {
    await page.click('#revoke');
    await page.waitForFunction(() => /TokenRefreshError/.test(document.getElementById('error').textContent), null, { timeout: 15_000 });
    const failed = await lines(page, 'error');
    assert.ok(failed.some((l) => /token refresh failed: \/api\/checkout-token answered 500/.test(l)), failed.join('\n'));
  } finally {
    await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  }
  await page.close();
});

// Tokens shorter-lived than the 30 s leeway are due at once: a request refreshes the
// token first, the refreshed one (already due) goes out as it is on the request after,
// and the one after that refreshes again (rule 8). The panel says which comes next.
test('/: with tokens that are due at once, "Refresh due" says whether the next request uses the token as it is or refreshes first', async () => {
  await env.sandbox.post('/__sandbox/lifetimes', { checkout: 20 });
  try {
    const { page } = await open('/');
    const due = (text) => page.waitForFunction((t) => document.getElementById('refresh-due').textContent === t, text, { timeout: 5_000 });
    const asIs = 'now: this token arrived already due, so the next request uses it as it is, and the one after refreshes first';
    const first = 'now: the next request refreshes first';
    const refreshed = async () => (await lines(page, 'refreshed')).length;
    const reload = async () => {
      const loads = Number(await page.getAttribute('#invoice', 'data-loads'));
      await page.click('#reload');
      await page.waitForSelector(`#invoice[data-loads="${loads + 1}"]`, { timeout: 15_000 });
    };
    // The first load refreshed the token from the backend (due at once).
    assert.equal(await refreshed(), 1);
    await due(asIs);
    await reload();
    assert.equal(await refreshed(), 1, 'sent as it is');
    await due(first);
    await reload();
    assert.equal(await refreshed(), 2, 'refreshed first');
    assert.match((await lines(page, 'refreshed')).join('\n'), /reason: expiring/);
    await due(asIs);
    await page.close();
  } finally {
    await env.sandbox.post('/__sandbox/lifetimes', { checkout: 900 });
  }
});
