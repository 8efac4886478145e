// The SDK's API calls bypass the browser's HTTP cache (`cache: 'no-store'`): identical
// GETs sent at once all go out at once (Chromium lets one request per URL through its
// cache at a time, and the others would wait inside `fetch` while their
// `requestTimeoutMs` ran), and no response to a token-bearing call is kept on disk.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandboxAndBrowser, watchedPage } from './helpers.mjs';

const env = sandboxAndBrowser();

test('six identical GETs at once, each answered after 1 s, all succeed under requestTimeoutMs 2500 without retries', async () => {
  const { page } = await watchedPage(env.browser.context);
  await page.goto(`${env.sandbox.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/invoices/inv_1001', delay_ms: 1000, count: 6 });
  const start = await env.sandbox.counters();
  const outcomes = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { token } = await (await fetch('/api/checkout-token', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
    })).json();
    const client = await AlternativeClient.create({
      accessToken: token, baseUrl: location.origin, requestTimeoutMs: 2500, retry: false,
    });
    const calls = Array.from({ length: 6 }, () => client.get('/v1/invoices/inv_1001'));
    const settled = await Promise.allSettled(calls);
    client.destroy();
    return settled.map((s) => (s.status === 'fulfilled' ? 'ok' : s.reason.code));
  });
  const now = await env.sandbox.counters();
  assert.deepEqual(outcomes, Array(6).fill('ok'));
  assert.equal(now.api_requests - start.api_requests, 6);
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  await page.close();
});
