// classic <script src> page: www/index.html served by a sandbox of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sandboxAndBrowser } from './helpers.mjs';
import { checkoutFlow } from './checkout-flow.mjs';

const env = sandboxAndBrowser();

test('classic <script src> page: loads under the CSP, shows the invoice, recovers from a revoke through one refresh', async () => {
  await checkoutFlow({ sandbox: env.sandbox, context: env.browser.context, path: '/', shot: 'checkout-classic.png' });
});

// SafeSDK's module loads on demand: a page that goes straight to `new PartnerSDK.SafeSDK()`
// (no `PartnerSDK.ready`) gets a SafeSDK whose `initialize()` loads it.
const OPTIONS = { apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0' };

async function checkoutPage() {
  const page = await env.browser.context.newPage();
  await page.goto(`${env.sandbox.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  return page;
}

test('classic script: new PartnerSDK.SafeSDK() without PartnerSDK.ready loads SafeSDK on initialize(), registers and checks', async () => {
  const page = await checkoutPage();
  const report = await page.evaluate(async (options) => {
    const loaded = () => performance.getEntriesByType('resource').some((e) => e.name.includes('/pkg/gatekeeper.classic.js'));
    const token = async () => (await fetch('/api/gatekeeper-token')).text();
    const before = loaded();
    const sdk = new window.PartnerSDK.SafeSDK({ ...options, baseUrl: location.origin, onAccessTokenExpired: token });
    const early = { instance: sdk instanceof window.PartnerSDK.SafeSDK, deviceId: sdk.deviceId };
    const init = await sdk.initialize(await token());
    sdk.setAccessToken(await token());
    const check = await sdk.check();
    let invalid;
    try {
      new window.PartnerSDK.SafeSDK({ ...options }); // once loaded, the constructor checks: no baseUrl
    } catch (e) {
      invalid = { name: e.name, key: e.key };
    }
    const later = new window.PartnerSDK.SafeSDK({ ...options, baseUrl: location.origin });
    const result = {
      before, after: loaded(), early, init, status: check.status,
      instance: sdk instanceof window.PartnerSDK.SafeSDK,
      deviceId: sdk.deviceId, invalid, laterInstance: later instanceof window.PartnerSDK.SafeSDK,
    };
    sdk.destroy();
    later.destroy();
    return result;
  }, OPTIONS);
  await page.close();
  assert.equal(report.before, false, 'the checkout page had not loaded SafeSDK before');
  assert.equal(report.after, true, 'initialize() loaded it');
  assert.deepEqual(report.early, { instance: true, deviceId: null });
  assert.equal(typeof report.init.deviceId, 'string');
  assert.equal(report.deviceId, report.init.deviceId);
  assert.equal(report.status, 'Ok');
  assert.equal(report.instance, true);
  assert.deepEqual(report.invalid, { name: 'ConfigurationError', key: 'baseUrl' });
  assert.equal(report.laterInstance, true);
});

test('classic script: a SafeSDK made before its module loaded reports bad options from initialize() and check(), with the key', async () => {
  const page = await checkoutPage();
  const report = await page.evaluate(async (options) => {
    const sdk = new window.PartnerSDK.SafeSDK({ ...options, baseUrl: 'ftp://example.com' });
    const caught = (e) => ({ name: e.name, code: e.code, key: e.key });
    const init = await sdk.initialize('a.b.c').then(() => 'resolved', caught);
    const check = await sdk.check().then(() => 'resolved', caught);
    let set;
    try {
      sdk.setAccessToken('a.b.c');
    } catch (e) {
      set = caught(e);
    }
    return { init, check, set };
  }, OPTIONS);
  await page.close();
  const expected = { name: 'ConfigurationError', code: 'INVALID_CONFIGURATION', key: 'baseUrl' };
  assert.deepEqual(report, { init: expected, check: expected, set: expected });
});

test('classic script: check() right after an initialize() still loading the module waits for it (Ok, its error, or ClientDestroyedError after destroy())', async () => {
  // Each on a fresh page, whose SafeSDK module has not loaded yet.
  const run = async (scenario) => {
    const page = await checkoutPage();
    const out = await page.evaluate(async ([options, scenario]) => {
      const outcome = (p) => p.then((v) => v.status ?? 'initialized', (e) => `${e.name} ${e.key ?? ''}`.trim());
      const token = await (await fetch('/api/gatekeeper-token')).text();
      const baseUrl = scenario === 'bad options' ? 'ftp://example.com' : location.origin;
      const sdk = new window.PartnerSDK.SafeSDK({ ...options, baseUrl });
      const both = Promise.all([outcome(sdk.initialize(token)), outcome(sdk.check())]);
      if (scenario === 'destroyed') sdk.destroy();
      const result = await both;
      sdk.destroy();
      return result;
    }, [OPTIONS, scenario]);
    await page.close();
    return out;
  };
  assert.deepEqual(await run('good'), ['initialized', 'Ok']);
  assert.deepEqual(await run('bad options'), ['ConfigurationError baseUrl', 'ConfigurationError baseUrl']);
  assert.deepEqual(await run('destroyed'), ['ClientDestroyedError', 'ClientDestroyedError']);
});

test('classic script: a SafeSDK destroyed before its module loaded refuses every call with ClientDestroyedError; two made before both work', async () => {
  const page = await checkoutPage();
  const report = await page.evaluate(async (options) => {
    const caught = (e) => `${e.name} ${e.code}`;
    const token = async () => (await fetch('/api/gatekeeper-token')).text();
    const full = { ...options, baseUrl: location.origin, onAccessTokenExpired: token };
    const gone = new window.PartnerSDK.SafeSDK(full);
    gone.destroy();
    const destroyed = {
      initialize: await gone.initialize(await token()).then(() => 'resolved', caught),
      check: await gone.check().then(() => 'resolved', caught),
    };
    try {
      gone.setAccessToken(await token());
      destroyed.setAccessToken = 'returned';
    } catch (e) {
      destroyed.setAccessToken = caught(e);
    }
    const [one, two] = [new window.PartnerSDK.SafeSDK(full), new window.PartnerSDK.SafeSDK(full)];
    const both = await Promise.all([one, two].map(async (sdk) => {
      await sdk.initialize(await token());
      const { status } = await sdk.check();
      sdk.destroy();
      return status;
    }));
    return { destroyed, both };
  }, OPTIONS);
  await page.close();
  const refused = 'ClientDestroyedError CLIENT_DESTROYED';
  assert.deepEqual(report, { destroyed: { initialize: refused, check: refused, setAccessToken: refused }, both: ['Ok', 'Ok'] });
});

test('classic script: after a failed load of SafeSDK\'s module, reading PartnerSDK.ready again loads it', async () => {
  const page = await env.browser.context.newPage();
  // The first request for SafeSDK's module fails on the network; later ones go through.
  let refused = 0;
  await page.route('**/pkg/gatekeeper.classic.js', (route) => {
    if (refused++ === 0) return route.abort('connectionreset');
    return route.continue();
  });
  await page.goto(`${env.sandbox.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  const report = await page.evaluate(async (options) => {
    const first = await window.PartnerSDK.ready.then(() => 'resolved', (e) => `${e.name} ${e.code}`);
    const second = await window.PartnerSDK.ready.then(() => 'resolved', (e) => `${e.name} ${e.code}`);
    let constructed;
    try {
      new window.PartnerSDK.SafeSDK({ ...options }); // loaded: the constructor checks (no baseUrl)
      constructed = 'returned';
    } catch (e) {
      constructed = `${e.name} ${e.key}`;
    }
    return { first, second, constructed };
  }, OPTIONS);
  await page.close();
  assert.equal(refused >= 2, true, 'the module was requested again');
  assert.deepEqual(report, { first: 'NetworkError NETWORK_ERROR', second: 'resolved', constructed: 'ConfigurationError baseUrl' });
});

// A page that gets SafeSDK's module from another release than its partner-sdk.js (a copy
// of either cached across an upgrade) is told so, rather than failing to link a wasm.
test('classic script: SafeSDK\'s module from another release than partner-sdk.js: ready rejects NetworkError whose cause says so', async () => {
  const page = await env.browser.context.newPage();
  await page.goto(`${env.sandbox.url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  const build = await page.evaluate(() => window.PartnerSDK[Symbol.for('partner-sdk.classic')].build);
  assert.match(build, /^[\w+/]{16}$/);
  await page.route('**/pkg/gatekeeper.classic.js', async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    assert.ok(body.includes(JSON.stringify(build)), 'the module carries its build id');
    return route.fulfill({ response, body: body.replaceAll(JSON.stringify(build), JSON.stringify('another-release!')) });
  });
  const report = await page.evaluate(() => window.PartnerSDK.ready.then(
    () => 'resolved',
    (e) => `${e.name} ${e.code}: ${e.message} / ${e.cause?.message}`,
  ));
  await page.close();
  assert.equal(report, 'NetworkError NETWORK_ERROR: partner-sdk could not load its Gatekeeper module / partner-sdk.js and this module come from different releases: serve every file of pkg/ from one release');
});

test('classic script: partner-sdk.js included a second time keeps the first PartnerSDK and downloads nothing again', async () => {
  const page = await checkoutPage();
  const report = await page.evaluate(async () => {
    const wasmFetches = () => performance.getEntriesByType('resource').filter((e) => e.name.includes('/pkg/checkout_bg.wasm')).length;
    const first = window.PartnerSDK;
    const token = async () => {
      const response = await fetch('/api/checkout-token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
      });
      return (await response.json()).token;
    };
    const client = await first.AlternativeClient.create({ baseUrl: location.origin, accessToken: await token(), onAccessTokenExpired: token });
    const before = wasmFetches();
    // What a tag manager adding the tag twice does.
    const script = document.createElement('script');
    script.src = '/pkg/partner-sdk.js';
    await new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = reject;
      document.head.append(script);
    });
    const error = await client.get('/v1/no-such-path').then(() => null, (e) => e);
    const later = await window.PartnerSDK.AlternativeClient.create({ baseUrl: location.origin, accessToken: await token() });
    const invoice = await later.get('/v1/invoices/inv_1001');
    client.destroy();
    later.destroy();
    return {
      same: window.PartnerSDK === first,
      apiError: error instanceof window.PartnerSDK.ApiError,
      invoice: invoice.id,
      before,
      after: wasmFetches(),
    };
  });
  await page.close();
  assert.deepEqual(report, { same: true, apiError: true, invoice: 'inv_1001', before: 1, after: 1 });
});

// Markup a shop lets users post (no script) must not move where partner-sdk.js loads its
// .wasm and class modules from: an element named `currentScript` shadows
// `document.currentScript` (DOM clobbering), and a `<base>` after a deferred or async
// script changes its `src` before it runs. A `<base>` before the script is the page's
// own and is followed, as the browser followed it for the script itself.
const ATTACKER = 'http://attacker.invalid';
const MARKUP = {
  'an injected <img name="currentScript">': `<script src="/pkg/partner-sdk.js" defer></script>
<p class="review">Great shop! <img name="currentScript" src="${ATTACKER}/x/" alt=""></p>`,
  'an injected <base href> after a deferred script': `<script src="/pkg/partner-sdk.js" defer></script>
<p class="review">Great shop! <base href="${ATTACKER}/x/"></p>`,
  'an injected <base href> after an async script': `<script src="/pkg/partner-sdk.js" async></script>
<p class="review">Great shop! <base href="${ATTACKER}/x/"></p>`,
  'an injected <base href> that the parser moves up out of a table, before the script': `<table><tr><td>
<script src="/pkg/partner-sdk.js" defer></script></td><td class="review">Great shop!</td></tr><base href="${ATTACKER}/x/"></table>`,
  'an injected <base href> in <head> that the page\'s CSP base-uri refuses': {
    csp: "base-uri 'none'",
    markup: `<base href="${ATTACKER}/x/"><script src="/pkg/partner-sdk.js" defer></script>`,
  },
  'the page\'s own <base href> before a relative src': `<base href="/pkg/"><script src="partner-sdk.js" defer></script>
<p class="review">Great shop! <base href="${ATTACKER}/x/"></p>`,
};

for (const [what, page_] of Object.entries(MARKUP)) {
  const { markup, csp } = typeof page_ === 'string' ? { markup: page_ } : page_;
  test(`classic script: ${what} does not move where partner-sdk.js loads its wasm and modules from`, async () => {
    const page = await env.browser.context.newPage();
    const elsewhere = [];
    await page.route(`${ATTACKER}/**`, (route) => {
      elsewhere.push(new URL(route.request().url()).pathname);
      return route.fulfill({ status: 404, body: '' });
    });
    await page.route(`${env.sandbox.url}/clobbered.html`, (route) => route.fulfill({
      status: 200,
      contentType: 'text/html',
      headers: csp ? { 'content-security-policy': csp } : {},
      body: `<!doctype html><meta charset="utf-8"><title>Reviews</title>\n${markup}`,
    }));
    await page.goto(`${env.sandbox.url}/clobbered.html`);
    await page.waitForFunction(() => window.PartnerSDK !== undefined);
    const report = await page.evaluate(async (options) => {
      const token = async () => {
        const response = await fetch(new URL('/api/checkout-token', location.href), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
        });
        return (await response.json()).token;
      };
      const outcome = (promise) => promise.then(() => 'ok', (e) => `${e.name} ${e.code}: ${e.message}`);
      const client = await window.PartnerSDK.AlternativeClient.create({ baseUrl: location.origin, accessToken: await token() });
      const invoice = await outcome(client.get('/v1/invoices/inv_1001'));
      client.destroy();
      // SafeSDK's module is a dynamic import() from the same base.
      const gatekeeperToken = async () => (await fetch(new URL('/api/gatekeeper-token', location.href))).text();
      const sdk = new window.PartnerSDK.SafeSDK({ ...options, baseUrl: location.origin });
      const initialize = await outcome(sdk.initialize(await gatekeeperToken()));
      sdk.destroy();
      const loaded = performance.getEntriesByType('resource').map((e) => new URL(e.name))
        .filter((u) => u.pathname.startsWith('/pkg/')).map((u) => `${u.origin === location.origin ? '' : u.origin}${u.pathname}`);
      return { invoice, initialize, loaded: [...new Set(loaded)].sort() };
    }, OPTIONS);
    await page.close();
    assert.deepEqual(report, {
      invoice: 'ok',
      initialize: 'ok',
      loaded: ['/pkg/checkout_bg.wasm', '/pkg/gatekeeper.classic.js', '/pkg/gatekeeper_bg.wasm', '/pkg/partner-sdk.js'],
    });
    assert.deepEqual(elsewhere.filter((p) => p !== '/x/'), [], 'nothing but the image itself is fetched from another origin');
  });
}
