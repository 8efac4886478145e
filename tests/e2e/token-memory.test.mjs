// The token in the wasm's memory: held there while it is the client's, and overwritten
// once it is not (replaced by a refresh or by the page, refused as malformed, or the
// client destroyed), so that neither a later allocation nor a dump of the memory finds it.
// The page's own JS strings are the garbage collector's, and not searched here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandboxAndBrowser, watchedPage, watchWasmMemory } from './helpers.mjs';

const env = sandboxAndBrowser();

async function blankPage() {
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  const { page, seen } = await watchedPage(env.browser.context);
  await page.addInitScript(watchWasmMemory);
  // A checkout token from the sandbox's partner backend, for the page's code.
  await page.addInitScript(() => {
    window.mintCheckoutToken = async () => (await (await fetch('/api/checkout-token', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
    })).json()).token;
  });
  // A page of the sandbox's origin with no script of its own: its 404 answer.
  await page.goto(`${env.sandbox.url}/no-script-here`);
  return { page, seen };
}

test('AlternativeClient: a token replaced by a refresh or by setAccessToken, a malformed one, and the last one after destroy() are gone from the wasm memory', async () => {
  const { page } = await blankPage();
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const mint = window.mintCheckoutToken;
    const [t1, t2, t3] = [await mint(), await mint(), await mint()];
    const path = '/v1/invoices/inv_1001';
    const seen = {};
    const client = await AlternativeClient.create({
      accessToken: t1, baseUrl: location.origin, onAccessTokenExpired: async () => t2,
    });
    seen.memories = window.memories.length;
    await client.get(path);
    seen.t1Held = window.inMemory(t1);
    // One 401: the refresh replaces t1 with t2.
    await fetch('/__sandbox/faults', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path, status: 401 }) });
    await client.get(path);
    seen.t1AfterRefresh = window.inMemory(t1);
    seen.t2Held = window.inMemory(t2);
    client.setAccessToken(t3);
    await client.get(path);
    seen.t2AfterSet = window.inMemory(t2);
    // A malformed token (a fourth segment) is refused, and not kept either.
    const bad = `${t2}x.${t2.slice(t2.lastIndexOf('.') + 1)}y`;
    try { client.setAccessToken(bad); seen.bad = 'accepted'; } catch (e) { seen.bad = e.name; }
    seen.badKept = window.inMemory(`.${t2.slice(t2.lastIndexOf('.') + 1)}y`);
    seen.t3Held = window.inMemory(t3);
    client.destroy();
    seen.t3AfterDestroy = window.inMemory(t3);
    return seen;
  });
  assert.equal(out.memories, 1, 'the checkout wasm was instantiated and its memory kept');
  assert.equal(out.t1Held, 1, 'the search works: the token in use is in the memory');
  assert.equal(out.t2Held, 1, 'the refreshed token is in the memory');
  assert.equal(out.t3Held, 1, "the page's new token is in the memory");
  assert.equal(out.bad, 'InvalidAccessTokenFormat');
  assert.deepEqual(
    { t1AfterRefresh: out.t1AfterRefresh, t2AfterSet: out.t2AfterSet, badKept: out.badKept, t3AfterDestroy: out.t3AfterDestroy },
    { t1AfterRefresh: 0, t2AfterSet: 0, badKept: 0, t3AfterDestroy: 0 },
  );
  await page.close();
});

test('AlternativeClient: a token given to a create() that refuses another option is gone from the wasm memory', async () => {
  const { page } = await blankPage();
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const mint = window.mintCheckoutToken;
    const refused = {
      'a query in baseUrl': { baseUrl: `${location.origin}/?x=1` },
      'retry.limit out of range': { baseUrl: location.origin, retry: { limit: -1 } },
      'retry.limit not a number': { baseUrl: location.origin, retry: { limit: 'x' } },
      'an unknown key': { baseUrl: location.origin, bogus: 1 },
    };
    const seen = {};
    for (const [why, options] of Object.entries(refused)) {
      const token = await mint();
      try {
        await AlternativeClient.create({ accessToken: token, ...options });
        seen[why] = 'created';
      } catch (e) {
        seen[why] = `${e.name}, ${window.inMemory(token)} in memory`;
      }
    }
    // The search works: a token create() accepts is held.
    const token = await mint();
    const client = await AlternativeClient.create({ accessToken: token, baseUrl: location.origin });
    seen.held = window.inMemory(token);
    client.destroy();
    return seen;
  });
  assert.equal(out.held, 1, 'the search works: the token in use is in the memory');
  delete out.held;
  assert.deepEqual(out, {
    'a query in baseUrl': 'ConfigurationError, 0 in memory',
    'retry.limit out of range': 'ConfigurationError, 0 in memory',
    'retry.limit not a number': 'ConfigurationError, 0 in memory',
    'an unknown key': 'ConfigurationError, 0 in memory',
  });
  await page.close();
});

test('SafeSDK: after destroy() the token is gone from the wasm memory', async () => {
  const { page } = await blankPage();
  const out = await page.evaluate(async () => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    const token = (await (await fetch('/api/gatekeeper-token')).text()).trim();
    const sdk = new SafeSDK({
      apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
    });
    await sdk.initialize(token);
    const check = await sdk.check();
    const held = window.inMemory(token);
    sdk.destroy();
    return { status: check.status, held, afterDestroy: window.inMemory(token) };
  });
  assert.equal(out.held, 1, 'the search works: the token in use is in the memory');
  assert.equal(out.afterDestroy, 0, 'the token stays in the memory after destroy()');
  assert.ok(out.status, 'the check answered');
  await page.close();
});
