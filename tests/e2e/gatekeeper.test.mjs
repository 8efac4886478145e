// gatekeeper.html: SafeSDK registers once per browser profile, checks on a schedule,
// and survives a revoke through one refresh.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JWT, NETWORK_401, sandboxAndBrowser, screenshot, watchedPage } from './helpers.mjs';

const env = sandboxAndBrowser();

const okRows = (page) => page.locator('#checks tr[data-status="Ok"]').count();

async function open(page) {
  await page.goto(`${env.sandbox.url}/gatekeeper.html?interval=1000`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  return {
    deviceId: await page.textContent('#device-id'),
    registered: await page.getAttribute('#registered', 'data-registered'),
  };
}

test('registers once across two page loads in one profile, then checks every second', async () => {
  const start = await env.sandbox.counters();
  const { page, seen } = await watchedPage(env.browser.context);
  const first = await open(page);
  assert.match(first.deviceId, /^dev_\w+$/);
  assert.equal(first.registered, 'true');

  await page.waitForFunction(() => document.querySelectorAll('#checks tr[data-status="Ok"]').length >= 3, null, { timeout: 10_000 });
  const second = await open(page);
  assert.equal(second.registered, 'false', 'the second load finds the device in localStorage');
  assert.equal(second.deviceId, first.deviceId);

  await page.waitForFunction(() => document.querySelectorAll('#checks tr[data-status="Ok"]').length >= 2, null, { timeout: 10_000 });
  const now = await env.sandbox.counters();
  assert.equal(now.device_registrations - start.device_registrations, 1);
  assert.ok(now.checks - start.checks >= 5, `checks: ${now.checks - start.checks}`);

  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(stored.includes(first.deviceId), 'device id kept in localStorage');
  assert.doesNotMatch(stored, JWT);
  assert.deepEqual([seen.errors, seen.pageErrors, seen.csp, seen.http], [[], [], [], []]);
  await page.close();
});

test('a revoke during periodic checks costs one refresh and no failed check', async () => {
  const { page, seen } = await watchedPage(env.browser.context);
  await open(page);
  const before = await env.sandbox.counters();
  await page.click('#revoke');
  await page.waitForSelector('[data-event="refreshed"]', { timeout: 10_000 });
  const rowsAfterRefresh = await okRows(page);
  await page.waitForFunction((n) => document.querySelectorAll('#checks tr[data-status="Ok"]').length > n, rowsAfterRefresh, { timeout: 10_000 });
  const after = await env.sandbox.counters();
  assert.equal(after.tokens_issued.gatekeeper - before.tokens_issued.gatekeeper, 1);
  assert.equal(after.unauthorized - before.unauthorized, 1);
  assert.equal(await page.locator('#checks tr:not([data-status="Ok"])').count(), 0);
  assert.match(await page.textContent('[data-event="refreshed"]'), /reason: unauthorized/);
  await screenshot(page, 'gatekeeper.png');
  assert.deepEqual(seen.http, ['401 /v1/applications/demo-app/versions/1.0.0/devices/' + (await page.textContent('#device-id')) + '/checks']);
  assert.deepEqual(seen.errors.filter((e) => !NETWORK_401.test(e)), []);
  assert.deepEqual([seen.pageErrors, seen.csp], [[], []]);
  await page.close();
});

/** A page of the sandbox's origin that runs none of the demo's own code. */
async function blankPage() {
  const { page, seen } = await watchedPage(env.browser.context);
  const url = `${env.sandbox.url}/blank-for-tests.html`;
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>blank</title>' }));
  await page.goto(url);
  return { page, seen };
}

/**
 * Gives each tab `window.SafeSDK` and a Gatekeeper `window.token` before a test starts
 * them, so that the second tab asks for its turn well within the first one's registration.
 */
async function preloadSafeSDK(tabs) {
  await Promise.all(tabs.map((page) => page.evaluate(async () => {
    window.SafeSDK = (await import('/pkg/gatekeeper.js')).SafeSDK;
    window.token = await (await fetch('/api/gatekeeper-token')).text();
  })));
}

/**
 * Runs `run` in the first tab and, once that tab holds the registration lock, in the
 * second; checks that the profile registered one device, which both tabs use, then
 * clears the faults and closes the tabs.
 */
async function firstRegistersSecondFollows(tabs, run, start) {
  const first = run(tabs[0]);
  await lockHeld(tabs[1]); // the first tab holds the turn now, registering
  const results = await Promise.all([first, run(tabs[1])]);
  const now = await env.sandbox.counters();
  assert.equal(now.device_registrations - start.device_registrations, 1, 'one registration for the profile');
  assert.deepEqual(results.map((r) => r.registered), [true, false]);
  assert.equal(results[1].deviceId, results[0].deviceId);
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  await Promise.all(tabs.map((page) => page.close()));
}

/** Waits until some tab of the profile holds the device-registration lock for demo-app. */
async function lockHeld(page) {
  await page.evaluate(async () => {
    const key = `partner-sdk:device:${location.origin}:demo-app`;
    while (!(await navigator.locks.query()).held?.some((l) => l.name === key)) {
      await new Promise((done) => setTimeout(done, 10));
    }
  });
}

test('a periodic check goes on when the page keeps no reference to its SafeSDK, through garbage collections', async () => {
  const { page } = await blankPage();
  await page.evaluate(async () => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    window.results = 0;
    // Everything that could reach the SDK stays inside this function.
    await (async () => {
      const sdk = new SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
      });
      await sdk.initialize(await (await fetch('/api/gatekeeper-token')).text());
      sdk.startPeriodicCheck(1000, () => { window.results += 1; });
    })();
  });
  for (let i = 0; i < 3; i += 1) {
    await page.requestGC();
    await page.waitForTimeout(200);
  }
  const before = await page.evaluate(() => window.results);
  await page.waitForFunction((n) => window.results >= n + 3, before, { timeout: 10_000 });
  await page.close();
});

test('[Symbol.dispose]() lets go of a SafeSDK whose periodic check was running', async () => {
  const { page } = await blankPage();
  const hasDispose = await page.evaluate(async () => {
    if (!Symbol.dispose) return false;
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    await (async () => {
      const sdk = new SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
      });
      await sdk.initialize(await (await fetch('/api/gatekeeper-token')).text());
      sdk.startPeriodicCheck(1000, () => {});
      window.sdkRef = new WeakRef(sdk);
      sdk[Symbol.dispose]();
    })();
    return true;
  });
  assert.ok(hasDispose, 'this Chromium has Symbol.dispose');
  for (let i = 0; i < 3; i += 1) {
    await page.requestGC();
    await page.waitForTimeout(200);
  }
  assert.equal(await page.evaluate(() => window.sdkRef.deref() === undefined), true, 'collected');
  await page.close();
});

test('a destroyed SafeSDK or AlternativeClient is garbage collected, with callbacks that reach it', async () => {
  const { page } = await blankPage();
  await page.evaluate(async () => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const minted = await fetch('/api/checkout-token', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
    });
    const checkoutToken = (await minted.json()).token;
    window.refs = {};
    await (async () => {
      // Callbacks that reach their own client, as page code often does: held by the
      // Rust side until destroy() lets them go.
      const gatekeeperToken = async () => (void sdk.deviceId, (await fetch('/api/gatekeeper-token')).text());
      const sdk = new SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
        onAccessTokenExpired: gatekeeperToken, onTokenRefreshed: () => sdk.deviceId,
      });
      await sdk.initialize(await gatekeeperToken());
      sdk.startPeriodicCheck(1000, () => sdk.deviceId);
      const client = await AlternativeClient.create({
        accessToken: checkoutToken, baseUrl: location.origin,
        onAccessTokenExpired: async () => (void client.expiresAt, checkoutToken), onTokenRefreshed: () => client.expiresAt,
      });
      await client.get('/v1/invoices/inv_1001');
      window.refs = { sdk: new WeakRef(sdk), client: new WeakRef(client) };
      sdk.destroy();
      client.destroy();
    })();
  });
  for (let i = 0; i < 3; i += 1) {
    await page.requestGC();
    await page.waitForTimeout(200);
  }
  const collected = await page.evaluate(() => ({ sdk: window.refs.sdk.deref() === undefined, client: window.refs.client.deref() === undefined }));
  assert.deepEqual(collected, { sdk: true, client: true });
  await page.close();
});

// A page that uses one class downloads only that class's files (the per-class entries).
for (const [entry, own, others] of [
  ['checkout.js', 'checkout_bg.wasm', /gatekeeper|enrollment/],
  ['gatekeeper.js', 'gatekeeper_bg.wasm', /checkout|enrollment|card-form/],
]) {
  test(`a page importing /pkg/${entry} fetches ${own} and nothing of the other classes`, async () => {
    const { page } = await blankPage();
    const fetched = [];
    page.on('request', (r) => {
      const { pathname } = new URL(r.url());
      if (pathname.startsWith('/pkg/')) fetched.push(pathname.slice('/pkg/'.length));
    });
    await page.evaluate(async (file) => {
      const m = await import(`/pkg/${file}`);
      await m.ready;
    }, entry);
    assert.ok(fetched.includes(own), JSON.stringify(fetched));
    assert.deepEqual(fetched.filter((f) => others.test(f)), [], JSON.stringify(fetched));
    await page.close();
  });
}

test('two initialize() calls at once register the device once and agree on its id', async () => {
  const { page } = await blankPage();
  const start = await env.sandbox.counters();
  const results = await page.evaluate(async () => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    localStorage.clear();
    const sdk = new SafeSDK({
      apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
    });
    const token = await (await fetch('/api/gatekeeper-token')).text();
    const both = await Promise.all([sdk.initialize(token), sdk.initialize(token)]);
    return { both, deviceId: sdk.deviceId, stored: Object.values(localStorage) };
  });
  const now = await env.sandbox.counters();
  assert.equal(now.device_registrations - start.device_registrations, 1, 'one registration');
  const [a, b] = results.both;
  assert.equal(a.deviceId, b.deviceId);
  assert.equal(results.deviceId, a.deviceId);
  assert.deepEqual([a.registered, b.registered], [true, false]);
  assert.deepEqual(results.stored, [a.deviceId]);
  await page.close();
});

test('two tabs of one profile that initialize at the same moment register the device once and agree on its id', async () => {
  const tabs = [await blankPage(), await blankPage()].map(({ page }) => page);
  await tabs[0].evaluate(() => localStorage.clear());
  // A slow registration: without a lock across tabs, both would register meanwhile.
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/applications/demo-app/versions/1.0.0/devices', delay_ms: 1000, count: 2 });
  const start = await env.sandbox.counters();
  const results = await Promise.all(tabs.map((page) => page.evaluate(async () => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    const sdk = new SafeSDK({
      apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
    });
    const token = await (await fetch('/api/gatekeeper-token')).text();
    const { deviceId, registered } = await sdk.initialize(token);
    const check = (await sdk.check()).status;
    return { deviceId, registered, check };
  })));
  const now = await env.sandbox.counters();
  assert.equal(now.device_registrations - start.device_registrations, 1, 'one registration for the profile');
  assert.equal(results[0].deviceId, results[1].deviceId);
  assert.deepEqual(results.map((r) => r.registered).sort(), [false, true]);
  assert.deepEqual(results.map((r) => r.check), ['Ok', 'Ok']);
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  await Promise.all(tabs.map((page) => page.close()));
});

test('a tab whose turn comes before the other tab\'s stored id reaches its localStorage still uses that id (handed over with the turn)', async () => {
  // Chromium updates a tab's copy of localStorage some time after another tab wrote it;
  // here the second tab never sees the first tab's write at all.
  const tabs = [await blankPage(), await blankPage()].map(({ page }) => page);
  await tabs[0].evaluate(() => localStorage.clear());
  await tabs[1].evaluate(() => {
    const key = `partner-sdk:device:${location.origin}:demo-app`;
    const { getItem } = Storage.prototype;
    Storage.prototype.getItem = function (k) { return k === key ? null : getItem.call(this, k); };
  });
  // Each tab has the module and a token before the first one starts, so that the second
  // one asks for its turn well within the first one's (slow) registration.
  await preloadSafeSDK(tabs);
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/applications/demo-app/versions/1.0.0/devices', delay_ms: 3000, count: 2 });
  const start = await env.sandbox.counters();
  const run = (page) => page.evaluate(() => new window.SafeSDK({
    apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
  }).initialize(window.token));
  await firstRegistersSecondFollows(tabs, run, start);
});

test('the hand-over also works when the page\'s Math.random returns a constant (a test framework\'s mock)', async () => {
  const tabs = [await blankPage(), await blankPage()].map(({ page }) => page);
  for (const page of tabs) await page.evaluate(() => { Math.random = () => 0.5; });
  await preloadSafeSDK(tabs);
  const run = (page) => page.evaluate(() => new window.SafeSDK({
    apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
  }).initialize(window.token));
  // An earlier registration left a hand-over record (marked under the same mock); the
  // page then cleared its storage, and the second tab does not see the first's write.
  await tabs[0].evaluate(() => localStorage.clear());
  await run(tabs[0]);
  await tabs[0].evaluate(() => localStorage.clear());
  await tabs[1].evaluate(() => {
    const key = `partner-sdk:device:${location.origin}:demo-app`;
    const { getItem } = Storage.prototype;
    Storage.prototype.getItem = function (k) { return k === key ? null : getItem.call(this, k); };
  });
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/applications/demo-app/versions/1.0.0/devices', delay_ms: 3000, count: 2 });
  await firstRegistersSecondFollows(tabs, run, await env.sandbox.counters());
});

test('after the page clears localStorage, initialize() registers a new device (an earlier handover is not reused)', async () => {
  const { page } = await blankPage();
  const start = await env.sandbox.counters();
  const ids = await page.evaluate(async () => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    const options = { apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin };
    const token = await (await fetch('/api/gatekeeper-token')).text();
    const out = [];
    for (let i = 0; i < 2; i++) {
      localStorage.clear();
      const sdk = new SafeSDK(options);
      out.push(await sdk.initialize(token));
      sdk.destroy();
    }
    return out;
  });
  const now = await env.sandbox.counters();
  assert.deepEqual(ids.map((r) => r.registered), [true, true]);
  assert.notEqual(ids[0].deviceId, ids[1].deviceId);
  assert.equal(now.device_registrations - start.device_registrations, 2);
  await page.close();
});

test('two tabs whose stored device the server lost register one new device between them on their next check', async () => {
  const tabs = [await blankPage(), await blankPage()].map(({ page }) => page);
  await tabs[0].evaluate(() => {
    localStorage.clear();
    localStorage.setItem(`partner-sdk:device:${location.origin}:demo-app`, 'dev_lost_in_a_reset');
  });
  // Faults match by path prefix, in the order added: the two checks' 404s pass the first
  // rule untouched, so the delay lands on the registration, not on them.
  const lost = '/v1/applications/demo-app/versions/1.0.0/devices/dev_lost_in_a_reset/checks';
  await env.sandbox.post('/__sandbox/faults', { path: lost, count: 2 });
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/applications/demo-app/versions/1.0.0/devices', delay_ms: 1000, count: 2 });
  const start = await env.sandbox.counters();
  const results = await Promise.all(tabs.map((page) => page.evaluate(async () => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    const sdk = new SafeSDK({
      apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
    });
    await sdk.initialize(await (await fetch('/api/gatekeeper-token')).text());
    const check = (await sdk.check()).status;
    return { deviceId: sdk.deviceId, check };
  })));
  const now = await env.sandbox.counters();
  assert.equal(now.device_registrations - start.device_registrations, 1, 'one registration for the profile');
  assert.deepEqual(results.map((r) => r.check), ['Ok', 'Ok']);
  assert.equal(results[0].deviceId, results[1].deviceId);
  assert.notEqual(results[0].deviceId, 'dev_lost_in_a_reset');
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  await Promise.all(tabs.map((page) => page.close()));
});

test('destroy() while initialize() waits for its turn behind another tab rejects it at once with ClientDestroyedError', async () => {
  const tabs = [await blankPage(), await blankPage()].map(({ page }) => page);
  await tabs[0].evaluate(() => localStorage.clear());
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/applications/demo-app/versions/1.0.0/devices', delay_ms: 3000 });
  const options = { apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0' };
  const first = tabs[0].evaluate(async (o) => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    const sdk = new SafeSDK({ ...o, baseUrl: location.origin });
    return (await sdk.initialize(await (await fetch('/api/gatekeeper-token')).text())).registered;
  }, options);
  await lockHeld(tabs[1]); // the other tab holds the turn now
  const second = await tabs[1].evaluate(async (o) => {
    const { SafeSDK } = await import('/pkg/gatekeeper.js');
    const sdk = new SafeSDK({ ...o, baseUrl: location.origin });
    const token = await (await fetch('/api/gatekeeper-token')).text();
    const order = [];
    const waiting = sdk.initialize(token).then(() => order.push('initialized'), (e) => order.push(e.name));
    // This tab's request for the turn is queued behind the other tab's.
    const key = `partner-sdk:device:${location.origin}:${o.applicationId}`;
    while (!(await navigator.locks.query()).pending?.some((l) => l.name === key)) {
      await new Promise((done) => setTimeout(done, 10));
    }
    sdk.destroy();
    order.push('destroyed');
    await Promise.race([waiting, new Promise((done) => setTimeout(done, 1000))]);
    return order;
  }, options);
  assert.deepEqual(second, ['destroyed', 'ClientDestroyedError'], 'rejected before the other tab let go');
  assert.equal(await first, true);
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  await Promise.all(tabs.map((page) => page.close()));
});

for (const withoutAny of [false, true]) {
  test(`a tab waits for its turn to register no longer than a registration can take (the tab holding it may be suspended), then registers${withoutAny ? ', also without AbortSignal.any' : ''}`, async () => {
    const tabs = [await blankPage(), await blankPage()].map(({ page }) => page);
    await tabs[0].evaluate(() => {
      localStorage.clear();
      // A tab that took the turn and never lets go (suspended in the background).
      navigator.locks.request(`partner-sdk:device:${location.origin}:demo-app`, () => new Promise(() => {}));
    });
    await lockHeld(tabs[1]);
    const start = await env.sandbox.counters();
    const out = await tabs[1].evaluate(async (withoutAny) => {
      if (withoutAny) delete AbortSignal.any; // as in browsers before 2023
      const { SafeSDK } = await import('/pkg/gatekeeper.js');
      // The wait is 2 × requestTimeoutMs + 3 × refreshTimeoutMs + 4 s: 9 s here.
      const sdk = new SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
        requestTimeoutMs: 1000, refreshTimeoutMs: 1000,
      });
      const token = await (await fetch('/api/gatekeeper-token')).text();
      const late = new Promise((done) => setTimeout(() => done('still waiting after 30 s'), 30_000));
      const t0 = performance.now();
      const result = await Promise.race([sdk.initialize(token), late]);
      return { ...result, waitedMs: performance.now() - t0 };
    }, withoutAny);
    const now = await env.sandbox.counters();
    // It waited for its turn (a tab that ignored the lock would register at once), and
    // not for ever: the 9-s bound, with a generous margin for a slow machine.
    assert.ok(out.waitedMs >= 8_500 && out.waitedMs < 20_000, `registered after ${Math.round(out.waitedMs)} ms`);
    assert.equal(out.registered, true, JSON.stringify(out));
    assert.match(out.deviceId, /^dev_\w+$/);
    assert.equal(now.device_registrations - start.device_registrations, 1);
    await Promise.all(tabs.map((page) => page.close()));
  });
}

// A Web Locks stand-in (a polyfill, a test mock) that grants the lock only much later and
// ignores the request's `signal`: the wait still ends at its bound (or at destroy()),
// before the grant, and the lock granted later is let go at once.
for (const destroy of [false, true]) {
  test(`a navigator.locks that grants late and ignores its signal: ${destroy ? 'destroy() rejects initialize() and the check waiting on it before the grant' : 'initialize() registers at the bound, before the grant, and the check waiting on it is Ok'}; the late lock is let go`, async () => {
    const { page } = await blankPage();
    const start = await env.sandbox.counters();
    const events = await page.evaluate(async (destroy) => {
      localStorage.clear();
      const events = [];
      navigator.locks.request = (name, options, callback) => new Promise((resolve) => {
        // Granted after 20 s, whatever the signal says (the bound is 9 s here).
        setTimeout(() => {
          events.push('granted');
          Promise.resolve(callback({ name })).then(() => { events.push('released'); resolve(); });
        }, 20_000);
      });
      const { SafeSDK } = await import('/pkg/gatekeeper.js');
      // The wait is 2 × requestTimeoutMs + 3 × refreshTimeoutMs + 4 s: 9 s here.
      const sdk = new SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
        requestTimeoutMs: 1000, refreshTimeoutMs: 1000,
      });
      const token = await (await fetch('/api/gatekeeper-token')).text();
      const outcome = (what, p) => p.then(
        (v) => events.push(`${what} ${v.registered !== undefined ? `registered ${v.registered}` : v.status}`),
        (e) => events.push(`${what} ${e.name}`),
      );
      const both = Promise.all([outcome('initialize', sdk.initialize(token)), outcome('check', sdk.check())]);
      if (destroy) setTimeout(() => sdk.destroy(), 1000);
      await both;
      // Until the stand-in has granted its lock and seen it let go (or 40 s).
      for (let i = 0; i < 400 && !events.includes('released'); i += 1) await new Promise((done) => setTimeout(done, 100));
      return events;
    }, destroy);
    const now = await env.sandbox.counters();
    if (destroy) {
      assert.deepEqual(events, ['initialize ClientDestroyedError', 'check ClientDestroyedError', 'granted', 'released']);
      assert.equal(now.device_registrations - start.device_registrations, 0);
    } else {
      assert.deepEqual(events, ['initialize registered true', 'check Ok', 'granted', 'released']);
      assert.equal(now.device_registrations - start.device_registrations, 1);
    }
    await page.close();
  });
}

test('a tab whose turn waits out another tab\'s registration through a 401, a slow refresh and a slow resend still uses that tab\'s id', async () => {
  const tabs = [await blankPage(), await blankPage()].map(({ page }) => page);
  await tabs[0].evaluate(() => localStorage.clear());
  await preloadSafeSDK(tabs);
  const devices = '/v1/applications/demo-app/versions/1.0.0/devices';
  await env.sandbox.post('/__sandbox/faults', { path: devices, status: 401 }); // the first tab's registration
  await env.sandbox.post('/__sandbox/faults', { path: devices, delay_ms: 1500 }); // its resend
  const start = await env.sandbox.counters();
  const run = (page) => page.evaluate(() => new window.SafeSDK({
    apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
    // Room for the 1.5-s resend on a loaded machine; the second tab then waits up to
    // 2 × 5 s + 3 × 5 s + 4 s = 29 s for the first tab's ~3 s registration.
    requestTimeoutMs: 5000,
    onAccessTokenExpired: async () => {
      await new Promise((done) => setTimeout(done, 1500));
      return (await fetch('/api/gatekeeper-token')).text();
    },
  }).initialize(window.token));
  await firstRegistersSecondFollows(tabs, run, start);
});

test('a stored device id that cannot be one (empty, a dot segment) is registered again, not checked', async () => {
  const { page } = await blankPage();
  for (const bad of ['', '..']) {
    const start = await env.sandbox.counters();
    const out = await page.evaluate(async (stored) => {
      const { SafeSDK } = await import('/pkg/gatekeeper.js');
      localStorage.clear();
      localStorage.setItem(`partner-sdk:device:${location.origin}:demo-app`, stored);
      const sdk = new SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin,
      });
      const init = await sdk.initialize(await (await fetch('/api/gatekeeper-token')).text());
      const check = await sdk.check();
      return { init, status: check.status };
    }, bad);
    const now = await env.sandbox.counters();
    assert.equal(out.init.registered, true, `stored ${JSON.stringify(bad)}`);
    assert.match(out.init.deviceId, /^dev_\w+$/);
    assert.equal(out.status, 'Ok');
    assert.equal(now.device_registrations - start.device_registrations, 1);
  }
  await page.close();
});

// The demo page when things go wrong.
const events = (page, kind) => page.$$eval(`#events li[data-event="${kind}"]`, (items) => items.map((li) => li.textContent));

test('the demo page: an error shown by a failed check goes once a later check is Ok', async () => {
  const { page } = await watchedPage(env.browser.context);
  await open(page);
  // The next checks answer 503: "Check now" shows the ApiError, the periodic ones after it heal.
  // Nine: a check is three attempts (two retries), and the periodic checks (one at a
  // time, every second) may take up to six of them before the button's check has had
  // its three, whatever order they reach the sandbox in.
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/applications/demo-app/', status: 503, count: 9 });
  try {
    await page.click('#check-now');
    await page.waitForFunction(() => /ApiError \(API_ERROR\).*503/.test(document.getElementById('error').textContent), null, { timeout: 15_000 });
    await page.waitForFunction(() => document.getElementById('error').textContent === '', null, { timeout: 20_000 });
    assert.equal(await page.getAttribute('#checks tr:first-child', 'data-status'), 'Ok');
  } finally {
    await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  }
  await page.close();
});

test('the demo page: a failed start shows "unavailable" with the error and a Try again button that starts it', async () => {
  await env.sandbox.post('/__sandbox/faults', { path: '/api/gatekeeper-token', status: 500 });
  const { page } = await watchedPage(env.browser.context);
  await page.goto(`${env.sandbox.url}/gatekeeper.html?interval=1000`);
  await page.waitForSelector('#unavailable:not([hidden])', { timeout: 15_000 });
  assert.equal(await page.textContent('#device-id'), 'unavailable');
  assert.match(await page.textContent('#load-error'), /\/api\/gatekeeper-token answered 500/);
  assert.equal(await page.isDisabled('#check-now'), true);
  await page.click('#retry');
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  assert.match(await page.textContent('#device-id'), /^dev_\w+$/);
  assert.equal(await page.isVisible('#unavailable'), false);
  assert.equal(await page.textContent('#error'), '');
  await page.waitForSelector('#checks tr[data-status="Ok"]');
  await page.close();
});

test('the demo page: issued tokens show their expiry, and a failed token refresh is logged', async () => {
  const { page } = await watchedPage(env.browser.context);
  await open(page);
  assert.match((await events(page, 'issued'))[0], /\(page load\), expires at \S/);
  // The next check's 401 calls the token callback, whose backend answers 500 once.
  await env.sandbox.post('/__sandbox/faults', { path: '/api/gatekeeper-token', status: 500 });
  await page.click('#revoke');
  await page.waitForSelector('[data-event="revoked"]');
  assert.match((await events(page, 'revoked'))[0], /the sandbox revoked \d+ tokens? \(all it had issued\)/);
  await page.waitForSelector('[data-event="error"]', { timeout: 15_000 });
  assert.match((await events(page, 'error'))[0], /token refresh failed: \/api\/gatekeeper-token answered 500/);
  // The callback works again at the next 401: one refresh, then Ok checks.
  await page.waitForSelector('[data-event="refreshed"]', { timeout: 15_000 });
  assert.match((await events(page, 'refreshed'))[0], /reason: unauthorized; the new token expires at \S/);
  await page.close();
});

test('the demo page: a revoke while the token is due for refresh anyway says there will be no 401, and there is none', async () => {
  // 35 s tokens with the SDK's 30 s leeway are due 5 s after they are issued; one check a minute.
  await env.sandbox.post('/__sandbox/lifetimes', { gatekeeper: 35 });
  try {
    const { page } = await watchedPage(env.browser.context);
    await page.goto(`${env.sandbox.url}/gatekeeper.html?interval=60000`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await page.waitForTimeout(7_000); // the token is well inside the leeway by now
    const before = await env.sandbox.counters();
    await page.click('#revoke');
    await page.waitForSelector('[data-event="revoked"]');
    assert.match(await page.textContent('[data-event="revoked"]'), /due for refresh anyway .*: the SDK replaces it before the next check, so no 401/);
    await page.click('#check-now');
    await page.waitForSelector('[data-event="refreshed"]', { timeout: 15_000 });
    assert.match(await page.textContent('[data-event="refreshed"]'), /reason: expiring/);
    await page.waitForFunction(() => document.getElementById('check-count').textContent === '2', null, { timeout: 15_000 });
    assert.equal(await page.getAttribute('#checks tr:first-child', 'data-status'), 'Ok');
    assert.equal((await env.sandbox.counters()).unauthorized - before.unauthorized, 0, 'no 401, as the page said');
    await page.close();
  } finally {
    await env.sandbox.post('/__sandbox/lifetimes', { gatekeeper: 900 });
  }
});

test('the demo page: a device the server lost is registered again, and the page shows and logs the new id', async () => {
  const { page } = await watchedPage(env.browser.context);
  const { deviceId } = await open(page);
  // The server no longer knows the device (a restarted sandbox): its checks answer 404.
  await env.sandbox.post('/__sandbox/faults', { path: `/v1/applications/demo-app/versions/1.0.0/devices/${deviceId}/checks`, status: 404, count: 1 });
  await page.waitForFunction((old) => document.getElementById('device-id').textContent !== old, deviceId, { timeout: 15_000 });
  const shown = await page.textContent('#device-id');
  assert.match(shown, /^dev_\w+$/);
  assert.equal(shown, await page.evaluate(() => localStorage.getItem(`partner-sdk:device:${location.origin}:demo-app`)));
  assert.match(await page.textContent('[data-event="registered"]'), new RegExp(`no longer knew device ${deviceId}: the SDK registered it again as ${shown}`));
  await page.close();
});

test('the demo page: a revoke whose token comes due before the next periodic check does not promise a 401', async () => {
  // 38 s tokens with the 30 s leeway are due 8 s after they are issued; a check every 5 s.
  await env.sandbox.post('/__sandbox/lifetimes', { gatekeeper: 38 });
  try {
    const { page } = await watchedPage(env.browser.context);
    await page.goto(`${env.sandbox.url}/gatekeeper.html?interval=5000`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await page.waitForTimeout(4_000); // 34 s left: not due yet, due by the next check
    await page.click('#revoke');
    await page.waitForSelector('[data-event="revoked"]');
    const said = await page.textContent('[data-event="revoked"]');
    assert.doesNotMatch(said, /the next check sees a 401/);
    assert.match(said, /around the next check: that check either refreshes it first \(no 401\) or sees a 401/);
    await page.close();
  } finally {
    await env.sandbox.post('/__sandbox/lifetimes', { gatekeeper: 900 });
  }
});

test('after an initialize() whose registration failed (a 503), the next check() registers the device and checks it', async () => {
  const { page } = await blankPage();
  await env.sandbox.post('/__sandbox/faults', { path: '/v1/applications/demo-app/versions/1.0.0/devices', status: 503, count: 1 });
  try {
    const out = await page.evaluate(async () => {
      localStorage.clear();
      const { SafeSDK } = await import('/pkg/gatekeeper.js');
      const sdk = new SafeSDK({ apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: location.origin });
      const token = await (await fetch('/api/gatekeeper-token')).text();
      const init = await sdk.initialize(token).then(() => 'resolved', (e) => `${e.name} ${e.status}`);
      const before = sdk.deviceId;
      const check = await sdk.check().then((r) => r.status, (e) => `${e.name} ${e.message}`);
      const result = { init, before, check, after: /^dev_\w+$/.test(sdk.deviceId), stored: localStorage.getItem(`partner-sdk:device:${location.origin}:demo-app`) === sdk.deviceId };
      sdk.destroy();
      return result;
    });
    assert.deepEqual(out, { init: 'ApiError 503', before: null, check: 'Ok', after: true, stored: true });
  } finally {
    await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  }
  await page.close();
});
