// Rules 2 (extended) and 4 with rule 9's retries: a call that had its refresh, and
// meets a refusal of its token after waiting out a retry's delay, waits for the refresh
// that refusal brings; when none comes (a final 401) it is let through; when it gave
// up already (its one rescue spent), it rejects and starts no refresh of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interplayPage, sandboxAndBrowser } from './helpers.mjs';

const env = sandboxAndBrowser();

/** The demo checkout page with `window.t` (helpers.mjs `interplayPage`). */
function demoPage() {
  return interplayPage(env.browser.context, env.sandbox.url, { controlsViaLocalhost: true });
}

// A waits for its turn behind six attempts, after B's final 401 refused T2 (nothing
// for A to wait for: it would be let through) and before C's 401 on T2 (a refresh
// comes). A is woken when C's 401 aborts the holders: it waits for C's refresh and goes
// out with T3. (turn() lets a call through and sends it in one step, so no 401 can come
// between the two: the build before the fix passes this too.)
test("a call that had its refresh, queued behind six attempts after a final 401 refused its token, waits for the refresh of another call's 401 that comes meanwhile, and succeeds", { timeout: 60_000 }, async () => {
  const page = await demoPage();
  // The token each of A's sends carried (A's path has no query; the holders' do).
  const aSends = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname === '/v1/invoices/inv_1001' && !url.search) aSends.push(r.headers().authorization);
  });
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, mint, apiRequests, arrived, clear } = window.t;
    const settle = (p) => p.then((v) => ({ ok: v.id }), (e) => ({ error: e.code }));
    const tokens = [await mint()];
    let calls = 0;
    const client = await AlternativeClient.create({
      accessToken: tokens[0],
      baseUrl: location.origin,
      refreshTimeoutMs: 10_000,
      onAccessTokenExpired: async () => {
        calls += 1;
        tokens.push(await mint());
        return tokens.at(-1);
      },
    });
    const get = '/v1/invoices/inv_1001';
    const refuses = '/v1/applications/refuses/versions/1/devices';
    const other = '/v1/invoices/inv_1002';
    // A's first attempt, held 1 s: B's 401 refuses T1 meanwhile and aborts it.
    await post('/__sandbox/faults', { path: get, status: 401, delay_ms: 1000 });
    await post('/__sandbox/faults', { path: get, status: 503, retry_after_s: 4 }); // A's resend: A waits 4 s
    await post('/__sandbox/faults', { path: get, delay_ms: 10_000, count: 4 }); // four holders, out 10 s
    await post('/__sandbox/faults', { path: refuses, status: 401 }); // B's first attempt
    // B's resend: its final 401 (B had its refresh), the head 1.5 s after it is sent, the
    // body then 8 s long: B keeps its place meanwhile.
    await post('/__sandbox/faults', { path: refuses, status: 401, delay_ms: 1500, body_bytes: 100, chunk_bytes: 1, trickle_ms: 80 });
    // C (no refresh yet): a 401 whose head comes 5 s after it is sent, while A waits for
    // its turn, and whose body then takes 2 s.
    await post('/__sandbox/faults', { path: other, status: 401, delay_ms: 5000, body_bytes: 40, chunk_bytes: 1, trickle_ms: 50 });
    const since = await apiRequests();
    const a = settle(client.get(get));
    await arrived(since, 1);
    // B's 401 refuses T1: A's attempt is aborted, and both wait for refresh 1 (rule 2
    // extended), their one refresh (rule 4).
    const b = settle(client.post(refuses, {}));
    await arrived(since, 4); // B's 401, A's resend (503: A waits) and B's resend (held)
    // Six attempts in progress, all with T2: B's resend, four holders and C.
    const holders = Array.from({ length: 4 }, (_, i) => settle(client.get(`${get}?h=${i}`)));
    const c = settle(client.get(other));
    await arrived(since, 9);
    // T2 is refused by the API from now on; the callback's next token is taken.
    await post('/__sandbox/revoke');
    const result = { a: await a, b: await b, c: await c, holders: await Promise.all(holders), calls };
    client.destroy();
    await clear();
    return { result, tokens };
  });
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  assert.deepEqual(out.result, {
    a: { ok: 'inv_1001' },
    b: { error: 'ACCESS_TOKEN_EXPIRED' },
    // Resent with T3 after its refresh: inv_1002 is not that token's invoice (403).
    c: { error: 'API_ERROR' },
    holders: Array(4).fill({ ok: 'inv_1001' }),
    calls: 2,
  });
  // A went out with T1, T2, then T3: never with the revoked T2 after its wait.
  const which = (auth) => out.tokens.findIndex((t) => auth === `Bearer ${t}`) + 1;
  assert.deepEqual(aSends.map(which), [1, 2, 3]);
  await page.close();
});

// A had its refresh, then waited once for the refresh of D's 401 (its one rescue). After
// its next retry delay it finds T3 refused by C's 401, whose refresh is to come once C
// has read the body: a second refusal, so A rejects, and it does not start that refresh
// itself. C's body is then cut: not a refusal after all (rule 4), and no refresh runs.
test("a call that had its one rescue, refused again by a 401 whose body is then cut, rejects and starts no refresh", { timeout: 60_000 }, async () => {
  const page = await demoPage();
  const out = await page.evaluate(async () => {
    const { AlternativeClient } = await import('/pkg/checkout.js');
    const { post, mint, sleep, apiRequests, arrived, clear } = window.t;
    const settle = (p) => p.then((v) => ({ ok: v.id }), (e) => ({ error: e.code }));
    let calls = 0;
    const client = await AlternativeClient.create({
      accessToken: await mint(),
      baseUrl: location.origin,
      refreshTimeoutMs: 10_000,
      onAccessTokenExpired: async () => {
        calls += 1;
        if (calls === 2) await sleep(2000); // D's refresh: A's first wait ends during it
        return mint();
      },
    });
    const get = '/v1/invoices/inv_1001';
    const other = '/v1/invoices/inv_1002';
    const refuses = '/v1/applications/refuses/versions/1/devices';
    await post('/__sandbox/faults', { path: get, status: 401 }); // A's first attempt: refresh 1
    await post('/__sandbox/faults', { path: get, status: 503, retry_after_s: 1 }); // A's resend: A waits 1 s
    await post('/__sandbox/faults', { path: get, status: 503, retry_after_s: 2 }); // A's retry with T3: A waits 2 s
    await post('/__sandbox/faults', { path: other, status: 401 }); // D: refresh 2, which A waits for
    // C's 401 (C has had no refresh): the head 0.5 s after it is sent, then 80 bytes of a
    // promised 200, one per 50 ms, then the connection is cut.
    await post('/__sandbox/faults', { path: refuses, status: 401, delay_ms: 500, body_bytes: 200, chunk_bytes: 1, trickle_ms: 50, close_after_bytes: 80 });
    const since = await apiRequests();
    const a = settle(client.get(get));
    await arrived(since, 2); // A's 401 and its resend's 503
    const d = settle(client.get(other));
    await arrived(since, 5); // D's 401; after refresh 2, A's retry (503) and D's resend
    const c = settle(client.post(refuses, {}));
    const result = { a: await a, c: await c, d: await d };
    await sleep(200);
    result.calls = calls;
    client.destroy();
    await clear();
    return result;
  });
  await fetch(`${env.sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  assert.deepEqual(out, {
    a: { error: 'ACCESS_TOKEN_EXPIRED' },
    c: { error: 'NETWORK_ERROR' }, // a POST without an idempotency key: not retried
    d: { error: 'API_ERROR' }, // resent with T3: inv_1002 is not its invoice (403)
    calls: 2,
  });
  await page.close();
});
