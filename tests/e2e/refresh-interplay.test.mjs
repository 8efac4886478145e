// Refresh rules 1, 2 and 4 together with rule 9's retries, where timing used to decide
// the outcome: a call that already had its one refresh, waiting out a retry's delay,
// finds the token refused by another call's 401 while that call's refresh runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interplayPage, sandboxAndBrowser } from './helpers.mjs';

const env = sandboxAndBrowser();

/** The demo checkout page with `window.t` (helpers.mjs `interplayPage`). */
function demoPage() {
  return interplayPage(env.browser.context, env.sandbox.url);
}

for (const slow of [200, 3000]) {
  test(`a call waiting out a 503 after its refresh waits for another call's refresh (callback ${slow} ms) and succeeds`, async () => {
    const page = await demoPage();
    const out = await page.evaluate(async (slow) => {
      const { AlternativeClient } = await import('/pkg/checkout.js');
      const { post, mint, sleep, apiRequests, arrived } = window.t;
      let calls = 0;
      const client = await AlternativeClient.create({
        accessToken: await mint(),
        baseUrl: location.origin,
        refreshTimeoutMs: 10_000,
        onAccessTokenExpired: async () => {
          calls += 1;
          // The second refresh (B's) first revokes the token A holds, so that A sent with
          // it instead of waiting for this refresh is refused for real (and rejects).
          if (calls === 2) { await post('/__sandbox/revoke'); await sleep(slow); }
          return mint();
        },
      });
      const path = '/v1/invoices/inv_1001';
      await post('/__sandbox/faults', { path, status: 401 }); // A's first attempt
      await post('/__sandbox/faults', { path, status: 503, retry_after_s: 2 }); // A's resend
      await post('/__sandbox/faults', { path, status: 401 }); // B, during A's delay
      const settle = (p) => p.then((v) => ({ ok: v.id }), (e) => ({ error: e.name, code: e.code }));
      const since = await apiRequests();
      const a = settle(client.get(path));
      await arrived(since, 2); // A's 401 and its resend's 503: A waits out the 2 s
      const b = settle(client.get(path));
      const result = { a: await a, b: await b, calls };
      client.destroy();
      return result;
    }, slow);
    await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    assert.deepEqual(out, { a: { ok: 'inv_1001' }, b: { ok: 'inv_1001' }, calls: 2 });
    await page.close();
  });
}

test("a call's retry that is out when another call's 401 refuses its token (rule 2 extended) waits for that refresh and succeeds", async () => {
  const page = await demoPage();
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, mint, sleep, apiRequests, arrived } = window.t;
    let calls = 0;
    const client = await AlternativeClient.create({
      accessToken: await mint(),
      baseUrl: location.origin,
      refreshTimeoutMs: 10_000,
      onAccessTokenExpired: async () => {
        calls += 1;
        // The second refresh (B's) first revokes the token A's retry is out with: not
        // aborted and resent after this refresh, that retry is refused for real.
        if (calls === 2) { await post('/__sandbox/revoke'); await sleep(1500); }
        return mint();
      },
    });
    const path = '/v1/invoices/inv_1001';
    await post('/__sandbox/faults', { path, status: 401 }); // A's first attempt
    await post('/__sandbox/faults', { path, status: 503, retry_after_s: 1 }); // A's resend
    await post('/__sandbox/faults', { path, delay_ms: 3000 }); // A's retry: out for 3 s
    await post('/__sandbox/faults', { path, status: 401 }); // B, while A's retry is out
    const settle = (p) => p.then((v) => ({ ok: v.id }), (e) => ({ error: e.name, code: e.code }));
    const since = await apiRequests();
    const a = settle(client.get(path));
    // A's retry goes out about 1 s after the start (the resend's Retry-After).
    await arrived(since, 3);
    const b = settle(client.get(path));
    const result = { a: await a, b: await b, calls };
    client.destroy();
    return result;
  });
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  assert.deepEqual(out, { a: { ok: 'inv_1001' }, b: { ok: 'inv_1001' }, calls: 2 });
  await page.close();
});

test("a call that had its refresh waits for at most one other call's refresh, and a final 401 of another call does not abort it: its own answer decides, after 3 sends", { timeout: 60_000 }, async () => {
  const page = await demoPage();
  const sends = new Map();
  page.on('request', (r) => {
    const c = new URL(r.url()).searchParams.get('c');
    if (c) sends.set(c, (sends.get(c) ?? 0) + 1);
  });
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, mint, sleep } = window.t;
    const get = '/v1/invoices/inv_1001';
    let calls = 0;
    let refreshed = false;
    const client = await AlternativeClient.create({
      accessToken: await mint(),
      baseUrl: location.origin,
      refreshTimeoutMs: 10_000,
      onTokenRefreshed: () => { refreshed = true; },
      onAccessTokenExpired: async () => {
        calls += 1;
        // The GETs' next sends are held 1.5 s at the server. (Room for 8: a first send
        // aborted by the first 401 may still reach the server after this and take one.)
        await post('/__sandbox/faults', { path: get, delay_ms: 1500, count: 8 });
        await sleep(800);
        return mint();
      },
    });
    await post('/__sandbox/revoke');
    const settle = (p) => p.then(() => 'ok', (e) => e.code);
    const gets = Array.from({ length: 4 }, (_, i) => settle(client.get(`${get}?c=get${i}`)));
    // A POST that starts once the first refresh has delivered its token (so has had
    // none: one that waited for that refresh counts as resent, rule 2), to a route that
    // refuses every checkout token, while the GETs' resends are still out: its 401
    // supersedes them and brings a second refresh; its resend's 401 is final, brings no
    // refresh and aborts nothing.
    while (!refreshed) await sleep(20);
    await sleep(200);
    const refused = await settle(client.post('/v1/applications/refuses/versions/1/devices?c=post', {}));
    const result = { gets: await Promise.all(gets), refused, calls };
    client.destroy();
    await fetch('/__sandbox/faults', { method: 'DELETE' });
    return result;
  });
  // Each GET: refused (refresh 1); resent, superseded by the POST's 401 (it waits for
  // refresh 2: its one rescue); sent again with a token the API takes, and answered.
  assert.deepEqual(out, { gets: Array(4).fill('ok'), refused: 'ACCESS_TOKEN_EXPIRED', calls: 2 });
  for (let i = 0; i < 4; i++) {
    assert.equal(sends.get(`get${i}`), 3, `get${i} sent ${sends.get(`get${i}`)} times`);
  }
  await page.close();
});

test("a final 401 that arrives while another call's 401 is still being read does not cancel that call's coming refresh", { timeout: 60_000 }, async () => {
  const page = await demoPage();
  const out = await page.evaluate(async () => {
    const { post, mint, sleep } = window.t;
    const settle = (p) => p.then(() => 'ok', (e) => e.code);
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const get = '/v1/invoices/inv_1001';
    const pay = '/v1/invoices/inv_1001/payments';
    const other = '/v1/applications/refuses/versions/1/devices';
    let calls = 0;
    const client = await AlternativeClient.create({
      accessToken: await mint(),
      baseUrl: location.origin,
      refreshTimeoutMs: 10_000,
      onAccessTokenExpired: async () => {
        calls += 1;
        if (calls === 1) {
          // After the first refresh: B's resend gets a final 401 400 ms late; C's resend
          // a 503 (Retry-After 1 s); A's 401 (A has had no refresh) trickles its body.
          await post('/__sandbox/faults', { path: pay, status: 401, delay_ms: 400 });
          await post('/__sandbox/faults', { path: get, status: 503, retry_after_s: 1 });
          await post('/__sandbox/faults', { path: other, status: 401, body_bytes: 40, chunk_bytes: 1, trickle_ms: 50 });
        }
        return mint();
      },
    });
    await post('/__sandbox/revoke');
    const c = settle(client.get(get));
    const b = settle(client.post(pay, {}));
    while (calls < 1) await sleep(5);
    await sleep(100);
    const a = settle(client.post(other, {}));
    const result = { c: await c, b: await b, a: await a, calls };
    client.destroy();
    await fetch('/__sandbox/faults', { method: 'DELETE' });
    return result;
  });
  // C had its refresh and waits out the 503 when A's 401 (a refresh to come) and then
  // B's final 401 refuse the token: it waits for A's refresh and succeeds.
  assert.deepEqual(out, { c: 'ok', b: 'ACCESS_TOKEN_EXPIRED', a: 'ACCESS_TOKEN_EXPIRED', calls: 2 });
  await page.close();
});

/**
 * Two GETs share one refresh after both were refused; the resends go out with the new
 * token. The first to reach the API is refused again: final for it (rule 4), and no
 * refresh comes. The other is not aborted or held back by that 401 (rule 2 extended
 * applies only when a refresh will run): `later` decides what the API does with it.
 */
async function finalRefusalBeside(later) {
  const page = await demoPage();
  // What each API request carried: counted in the page, so the first 401's abort of the
  // other request on the revoked token (it may not reach the server) changes nothing.
  const carried = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/')) carried.push(r.headers().authorization);
  });
  const out = await page.evaluate(async (later) => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, mint, sleep } = window.t;
    const path = '/v1/invoices/inv_1001';
    let calls = 0;
    const client = await AlternativeClient.create({
      accessToken: await mint(),
      baseUrl: location.origin,
      retry: { limit: 2, maxDelayMs: 10_000 },
      onAccessTokenExpired: async () => {
        calls += 1;
        await post('/__sandbox/faults', { path, status: 401 });
        await post('/__sandbox/faults', { path, ...later });
        window.refreshed = await mint();
        return window.refreshed;
      },
    });
    await post('/__sandbox/revoke');
    const settle = (p) => p.then((v) => ({ ok: v.id }), (e) => ({ error: e.code, attempts: e.attempts ?? null }));
    const results = await Promise.all([settle(client.get(path)), settle(client.get(path))]);
    await sleep(100);
    client.destroy();
    await fetch('/__sandbox/faults', { method: 'DELETE' });
    const key = (r) => r.error ?? '';
    return { results: results.sort((a, b) => key(a).localeCompare(key(b))), calls, refreshed: window.refreshed };
  }, later);
  await page.close();
  const { refreshed, ...rest } = out;
  // Sends with the token the refresh delivered: the two resends, and any retry.
  return { ...rest, sentWithNewToken: carried.filter((a) => a === `Bearer ${refreshed}`).length };
}

test('a final 401 does not abort another resend that is still out: that one is answered', { timeout: 60_000 }, async () => {
  const out = await finalRefusalBeside({ delay_ms: 1500 });
  assert.deepEqual(out, {
    results: [{ ok: 'inv_1001' }, { error: 'ACCESS_TOKEN_EXPIRED', attempts: null }],
    calls: 1,
    sentWithNewToken: 2,
  });
});

test("a final 401 does not cancel another call's rule 9 retry: it goes out with the token and is answered", { timeout: 60_000 }, async () => {
  const out = await finalRefusalBeside({ delay_ms: 300, status: 503, retry_after_s: 1 });
  assert.deepEqual(out, {
    results: [{ ok: 'inv_1001' }, { error: 'ACCESS_TOKEN_EXPIRED', attempts: null }],
    calls: 1,
    sentWithNewToken: 3,
  });
});

// Rule 2: a call that waited for the refresh of a refused token, in the SDK's queue or
// started while it ran, counts as resent (rule 4). A callback that answers at once
// settles that refresh before most queued calls have had their turn: they still count.
for (const n of [100, 300]) {
  test(`${n} GETs on a refused token, the callback answering at once with a token the API refuses too: one callback, at most N + 12 requests, each call rejected`, { timeout: 60_000 }, async () => {
    const page = await demoPage();
    const out = await page.evaluate(async (n) => {
      const { AlternativeClient } = await import('/pkg/checkout.js');
      const { post, mint, apiRequests } = window.t;
      const cached = await mint();
      let calls = 0;
      let refreshes = 0;
      const client = await AlternativeClient.create({
        accessToken: await mint(),
        baseUrl: location.origin,
        onTokenRefreshed: () => { refreshes += 1; },
        onAccessTokenExpired: () => { calls += 1; return cached; }, // at once, from a cache
      });
      await post('/__sandbox/revoke'); // both tokens are refused now
      const before = await apiRequests();
      const results = await Promise.all(Array.from({ length: n }, (_, i) => client.get(`/v1/invoices/inv_1001?i=${i}`).then(() => 'ok', (e) => e.code)));
      const requests = (await apiRequests()) - before;
      client.destroy();
      return { calls, refreshes, requests, expired: results.filter((r) => r === 'ACCESS_TOKEN_EXPIRED').length };
    }, n);
    assert.equal(out.calls, 1, JSON.stringify(out));
    assert.equal(out.refreshes, 1, JSON.stringify(out));
    assert.equal(out.expired, n, JSON.stringify(out));
    assert.ok(out.requests <= n + 12, JSON.stringify(out));
    await page.close();
  });
}

test('a POST started while the refresh of a refused token runs waited for it: refused again with the new token, it rejects and starts no second refresh', { timeout: 60_000 }, async () => {
  const page = await demoPage();
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, mint, sleep } = window.t;
    let calls = 0;
    // The refresh waits at this gate until the POST has been started.
    let open;
    const gate = new Promise((resolve) => { open = resolve; });
    const client = await AlternativeClient.create({
      accessToken: await mint(),
      baseUrl: location.origin,
      onAccessTokenExpired: async () => {
        calls += 1;
        await gate;
        return mint();
      },
    });
    await post('/__sandbox/revoke');
    const settle = (p) => p.then(() => 'ok', (e) => e.code);
    const get = settle(client.get('/v1/invoices/inv_1001'));
    while (calls < 1) await sleep(10);
    // To a route that refuses every checkout token.
    const posted = settle(client.post('/v1/applications/refuses/versions/1/devices', {}));
    open();
    const refused = await posted;
    const result = { get: await get, refused, calls };
    client.destroy();
    return result;
  });
  assert.deepEqual(out, { get: 'ok', refused: 'ACCESS_TOKEN_EXPIRED', calls: 1 });
  await page.close();
});

// Only a wait for the refresh counts (rule 2): a call waiting out a retry delay while
// another call's refusal is refreshed did not wait for it. Its retry meets a refusal of
// the new token as a first 401: one refresh of its own, then it succeeds.
test('a call waiting out a Retry-After while another call\'s refusal is refreshed has not had its refresh: its retry\'s 401 refreshes once', { timeout: 60_000 }, async () => {
  const page = await demoPage();
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, mint, sleep } = window.t;
    const get = '/v1/invoices/inv_1001';
    let calls = 0;
    const client = await AlternativeClient.create({
      accessToken: await mint(),
      baseUrl: location.origin,
      onAccessTokenExpired: async () => { calls += 1; return mint(); },
    });
    const settle = (p) => p.then(() => 'ok', (e) => e.code);
    // A's first send: 503, retry after 2 s.
    await post('/__sandbox/faults', { path: get, status: 503, retry_after_s: 2 });
    const a = settle(client.get(`${get}?c=a`));
    await sleep(300);
    // B: refused, refreshed (callback 1), answered; then the new token is refused too.
    await post('/__sandbox/revoke');
    const b = await settle(client.get(`${get}?c=b`));
    await post('/__sandbox/revoke');
    const result = { a: await a, b, calls };
    client.destroy();
    return result;
  });
  assert.deepEqual(out, { a: 'ok', b: 'ok', calls: 2 });
  await page.close();
});

// Rule 2: a call whose turn comes while a proactive refresh runs waits for it in the
// SDK; a 401 that joins that refresh makes it a refused token's refresh, which the
// waiting call has then had (rule 4): refused again with the new token, it starts no
// second refresh, and aborts no other call's resend.
test('a queued call that waits for a proactive refresh a 401 then joins has had its refresh: one callback in all', { timeout: 60_000 }, async () => {
  const page = await demoPage();
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, sleep } = window.t;
    const get = '/v1/invoices/inv_1001';
    const mint = async (ttl) => (await (await post('/__sandbox/mint', { kind: 'checkout', ttl })).json()).token;
    let calls = 0;
    let release;
    const released = new Promise((done) => { release = done; });
    const client = await AlternativeClient.create({
      // Due (30 s leeway) 4 s from now.
      accessToken: await mint(34),
      baseUrl: location.origin,
      refreshTimeoutMs: 20_000,
      onAccessTokenExpired: async () => {
        calls += 1;
        await released;
        const next = await mint(300);
        await post('/__sandbox/revoke'); // the new token is refused too
        return next;
      },
    });
    const settle = (p) => p.then(() => 'ok', (e) => e.code);
    // Six calls fill the SDK's six places: the first answered at 5 s, the others at 7 s.
    await post('/__sandbox/faults', { path: get, delay_ms: 5000 });
    await post('/__sandbox/faults', { path: get, delay_ms: 7000, count: 5 });
    const six = Array.from({ length: 6 }, (_, i) => settle(client.get(`${get}?c=g${i}`)));
    const queued = settle(client.get(`${get}?c=x`)); // waits for a place
    await sleep(4500);
    const due = settle(client.get(`${get}?c=z`)); // the token is due: a proactive refresh
    await sleep(1000); // the first call is answered: the queued one waits for the refresh
    await post('/__sandbox/revoke'); // the others' answers (at 7 s) are 401s
    await sleep(2500);
    release();
    const results = await Promise.all(six);
    const result = { six: [results.filter((r) => r === 'ok').length, results.filter((r) => r === 'ACCESS_TOKEN_EXPIRED').length], queued: await queued, due: await due, calls };
    client.destroy();
    return result;
  });
  assert.deepEqual(out, {
    six: [1, 5], // answered, refused
    queued: 'ACCESS_TOKEN_EXPIRED',
    due: 'ACCESS_TOKEN_EXPIRED',
    calls: 1,
  });
  await page.close();
});

// Rule 4: a 401 for a call that had had its refresh is final for that call alone and
// brings no refresh, so it makes no other call's refresh a refused token's. Here Y's
// resend is refused while D waits for its own proactive refresh (rule 6): D has still
// had no refresh, and its own 401 on the new token calls the callback (rule 1).
test('a final 401 that arrives while a call waits for its own proactive refresh leaves that call its refresh: its 401 refreshes', async () => {
  const page = await demoPage();
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, sleep, mint } = window.t;
    const get = '/v1/invoices/inv_1001';
    const log = [];
    let calls = 0;
    const client = await AlternativeClient.create({
      accessToken: await mint(300),
      baseUrl: location.origin,
      refreshTimeoutMs: 20_000,
      onAccessTokenExpired: async () => {
        calls += 1;
        log.push(`callback ${calls}`);
        if (calls === 1) return mint(34); // Y's refresh: a token due (30 s leeway) 4 s from now
        if (calls === 2) { // D's proactive refresh: a token refused from now on, after Y's 401
          const token = await mint(300);
          await post('/__sandbox/revoke');
          await sleep(3500);
          return token;
        }
        return mint(300);
      },
    });
    const settle = (name, p) => p.then(() => { log.push(`${name} ok`); return 'ok'; }, (e) => { log.push(`${name} ${e.code}`); return e.code; });
    await post('/__sandbox/revoke'); // Y's first attempt: a 401
    await post('/__sandbox/faults', { path: get, delay_ms: 1, count: 1 });
    await post('/__sandbox/faults', { path: get, delay_ms: 6000, count: 1 }); // Y's resend, held 6 s
    const y = settle('y', client.get(`${get}?c=y`));
    await sleep(4500);
    const d = await settle('d', client.get(`${get}?c=d`)); // the token is due: D refreshes it
    const result = { y: await y, d, calls, log };
    client.destroy();
    return result;
  });
  assert.deepEqual(out, {
    y: 'ACCESS_TOKEN_EXPIRED', d: 'ok', calls: 3,
    log: ['callback 1', 'callback 2', 'y ACCESS_TOKEN_EXPIRED', 'callback 3', 'd ok'],
  });
  await page.close();
});
