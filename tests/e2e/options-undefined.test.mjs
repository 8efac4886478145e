// An optional option given as `undefined` is read as absent, by every class and by a
// request's `init`, as pkg/index.d.ts declares (`key?: T | undefined`, so that a project
// with `exactOptionalPropertyTypes` can build options conditionally).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandboxAndBrowser, watchedPage } from './helpers.mjs';

const env = sandboxAndBrowser();

test('optional options and request init keys given as undefined work as if absent', async () => {
  const { page } = await watchedPage(env.browser.context);
  await page.goto(`${env.sandbox.url}/no-script-here`);
  const out = await page.evaluate(async () => {
    const { AlternativeClient, SafeSDK, CardEnrollment, init } = await import('/pkg/index.js');
    const seen = {};
    const attempt = async (name, run) => {
      try { seen[name] = await run(); } catch (e) { seen[name] = `${e.name}: ${e.message}`; }
    };
    await attempt('init', async () => { await init({ checkout: undefined, gatekeeper: undefined, enrollment: undefined }); return 'ok'; });
    const token = (await (await fetch('/api/checkout-token', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
    })).json()).token;
    await attempt('AlternativeClient', async () => {
      const client = await AlternativeClient.create({
        accessToken: token, baseUrl: location.origin, environment: undefined, onAccessTokenExpired: undefined,
        getAccessToken: undefined, retry: { limit: undefined, maxDelayMs: undefined }, refreshTimeoutMs: undefined,
        requestTimeoutMs: undefined, refreshLeewaySeconds: undefined, onTokenRefreshed: undefined,
      });
      const invoice = await client.get('/v1/invoices/inv_1001', {
        signal: undefined, query: undefined, headers: undefined, idempotencyKey: undefined,
      });
      const posted = await client.request('GET', '/v1/invoices/inv_1001', { body: undefined });
      client.destroy();
      return `${invoice.id} ${posted.id}`;
    });
    await attempt('SafeSDK', async () => {
      const sdk = new SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
        getAccessToken: undefined, onAccessTokenExpired: undefined, retry: undefined, requestTimeoutMs: undefined,
      });
      sdk.destroy();
      return 'ok';
    });
    await attempt('CardEnrollment', async () => {
      const form = await CardEnrollment.openForm({
        companyName: 'Demo', subaccountId: 'sub_demo', baseUrl: location.origin, getAccessToken: () => token,
        container: undefined, onSuccess: undefined, onError: undefined, onCancel: undefined, refreshTimeoutMs: undefined,
      });
      const shown = document.querySelector('iframe') !== null;
      form.close();
      return shown ? 'ok' : 'no frame';
    });
    return seen;
  });
  assert.deepEqual(out, {
    init: 'ok', AlternativeClient: 'inv_1001 inv_1001', SafeSDK: 'ok', CardEnrollment: 'ok',
  });
  await page.close();
});
