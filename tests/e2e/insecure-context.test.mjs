// A page on plain http: other than localhost (a phone testing a dev server on the LAN) is
// not a secure context, so it has no crypto.subtle to check the wasm's pin with. The
// entry with the wasm inside (what esbuild bundles by default) then fails with a
// NetworkError whose message says why, instead of a TypeError about `digest`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandboxAndBrowser, watchedPage } from './helpers.mjs';

const env = sandboxAndBrowser();

test('plain-http page: the embedded entry says it needs https: or localhost', async () => {
  const { page } = await watchedPage(env.browser.context);
  // http://checkout.test/* is served by the sandbox, under that name: an http: origin
  // that is not localhost.
  await page.route('http://checkout.test/**', async (route) => {
    const { pathname, search } = new URL(route.request().url());
    await route.fulfill({ response: await route.fetch({ url: `${env.sandbox.url}${pathname}${search}` }) });
  });
  await page.goto('http://checkout.test/no-script-here');
  const out = await page.evaluate(async () => {
    const secure = window.isSecureContext;
    const { AlternativeClient, NetworkError } = await import('/pkg/checkout.embedded.js');
    try {
      await AlternativeClient.create({ accessToken: 'a.b.c', baseUrl: 'https://api.example.com' });
      return { secure, outcome: 'created' };
    } catch (e) {
      return { secure, outcome: `${e instanceof NetworkError} ${e.code}: ${e.message}` };
    }
  });
  assert.equal(out.secure, false, 'the page is not a secure context');
  assert.equal(out.outcome, 'true NETWORK_ERROR: partner-sdk could not load its wasm module: checking it needs crypto.subtle, which a page has only on https: or localhost');
  await page.close();
});
