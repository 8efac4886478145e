// Refresh races that need exact timing (a 401 whose body breaks off after its refresh
// started, a refresh that fails meanwhile), scripted with a hand-answered `fetch` in Node
// (tests/e2e/node-races/harness.mjs): the same wasm and rules as in a browser.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const harness = JSON.stringify(new URL('./node-races/harness.mjs', import.meta.url).href);

/**
 * Runs `script` in a process of its own, after the harness's import and a client whose
 * token callback is answered by hand: `calls` counts its calls, `next.resolve(token)` /
 * `next.reject(error)` settle the latest; `run(name, promise)` records the outcome of a
 * call in `results` ('ok' or the error's code). Returns the script's last line, as JSON.
 */
function scenario(script) {
  const run = spawnSync('node', ['--input-type=module', '-e', `
    import { AlternativeClient, jwt, nowS, advance, settle, take, pending, sent } from ${harness};
    let calls = 0;
    let next;
    const client = await AlternativeClient.create({
      accessToken: jwt(nowS(), nowS() + 3600), baseUrl: 'http://localhost', retry: false,
      onAccessTokenExpired: () => { calls += 1; return new Promise((resolve, reject) => { next = { resolve, reject }; }); },
    });
    const results = {};
    const run = (name, p) => p.then(() => { results[name] = 'ok'; }, (e) => { results[name] = e.code; });
    ${script}`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

// A 401 that breaks off mid-body is a network failure, not a refusal (rule 7): a refresh
// it joined, which then failed, is no refresh of a refused token, so a call queued
// meanwhile has not had its refresh. Its own 401 refreshes (rule 1).
test('a queued call is not counted as refreshed by a failed refresh that a 401 cut mid-body had joined: its own 401 calls the callback', () => {
  const out = scenario(`
    // The current token comes from a refresh after a 401.
    run('w', client.get('/w')); await settle();
    take('/w').respond(401); await settle();
    next.resolve(jwt(nowS(), nowS() + 120)); await settle();
    take('/w').respond(200); await settle();
    // Six POSTs fill the six places; C waits in the SDK's queue.
    for (let i = 1; i <= 6; i += 1) run('p' + i, client.post('/p' + i, {}));
    await settle();
    run('c', client.get('/c')); await settle();
    advance(100_000); // the token is due: D starts a proactive refresh
    run('d', client.get('/d')); await settle();
    const p1 = take('/p1');
    p1.respond(401, { cut: true }); await settle(); // 401 headers: it joins that refresh
    next.reject(new Error('backend down')); await settle(); // the refresh fails
    p1.cut(); await settle(); // that 401 never arrived whole
    take('/p2').respond(200); await settle(); // a place frees: C goes out
    const before = calls;
    take('/c').respond(401); await settle(50);
    console.log(JSON.stringify({ c: results.c ?? 'waiting for its refresh', callbacksFromC: calls - before }));
    process.exit(0);`);
  assert.deepEqual(out, { c: 'waiting for its refresh', callbacksFromC: 1 });
});

// A 401 for a call that had had its refresh is final for that call alone and brings no
// refresh (rule 4): it does not make a refresh running meanwhile a refused token's. So a
// call that waited for its own proactive refresh (rule 6) still has its one refresh: its
// 401 on the new token calls the callback (rule 1).
test('a final 401 arriving while a call waits for its own proactive refresh leaves that call its refresh', () => {
  const out = scenario(`
    // Y: refused, refreshed and resent: Y has had its refresh.
    run('y', client.get('/y')); await settle();
    take('/y').respond(401); await settle();
    next.resolve(jwt(nowS(), nowS() + 600)); await settle();
    const yResend = take('/y');
    advance(600_000 - 10_000); // that token is due: D starts a proactive refresh
    run('d', client.get('/d')); await settle();
    const before = calls;
    yResend.respond(401); await settle(); // final for Y alone
    next.resolve(jwt(nowS(), nowS() + 600)); await settle(); // the proactive refresh delivers
    take('/d').respond(401); await settle(50); // D's own first 401
    const fromD = calls - before;
    if (fromD > 0) { next.resolve(jwt(nowS(), nowS() + 600)); await settle(50); take('/d').respond(200); await settle(50); }
    console.log(JSON.stringify({ y: results.y, d: results.d ?? 'pending', callbacksFromD: fromD }));
    process.exit(0);`);
  assert.deepEqual(out, { y: 'ACCESS_TOKEN_EXPIRED', d: 'ok', callbacksFromD: 1 });
});

// Rule 2: a refresh that a call held back with a refused token starts itself is that
// refusal's refresh, even when the refusal was final (a 401 for a call that had had its
// refresh): a call started while it runs waited for it, so refused again with the new
// token it rejects and starts no second refresh (rule 4).
test('a call that waits for the refresh a held-back call started after a final 401 has had its refresh', () => {
  const out = scenario(`
    run('y', client.get('/y')); await settle();
    take('/y').respond(401); await settle();
    next.resolve(jwt(nowS(), nowS() + 3600)); await settle();
    take('/y').respond(401); await settle(); // Y's resend: final for Y
    const before = calls;
    run('q', client.get('/q')); await settle(); // held back by that refusal: starts the refresh
    run('r', client.get('/r')); await settle(); // started while it runs: waits for it
    next.resolve(jwt(nowS(), nowS() + 3600)); await settle(50);
    const afterRefresh = calls;
    take('/r').respond(401); await settle(50); // the new token is refused for R
    const fromR = calls - afterRefresh;
    if (fromR) { next.resolve(jwt(nowS(), nowS() + 3600)); await settle(50); }
    for (let i = 0; i < 5 && pending.length; i += 1) { for (const e of pending.splice(0)) e.respond(200); await settle(50); }
    console.log(JSON.stringify({ fromQ: afterRefresh - before, fromR, r: results.r, rSends: sent.filter((s) => s.path === '/r').length }));
    process.exit(0);`);
  assert.deepEqual(out, { fromQ: 1, fromR: 0, r: 'ACCESS_TOKEN_EXPIRED', rSends: 1 });
});

// Rule 2: a refusing 401 whose body is slow to arrive is still a refusal. A call held
// back by it starts the refresh (rule 4 lets it), goes out once with the new token, and
// its own 401 then is final: one callback, whether that body ends before or after.
for (const bodyEnds of ['before', 'after']) {
  test(`a call held back by a 401 whose body ends ${bodyEnds} the call's own 401 is sent once more and starts no second refresh`, () => {
    const out = scenario(`
      const token = () => { calls += 1; return jwt(nowS(), nowS() + 3600); };
      const fast = await AlternativeClient.create({
        accessToken: jwt(nowS(), nowS() + 3600), baseUrl: 'http://localhost', retry: false, onAccessTokenExpired: token,
      });
      run('a', fast.get('/a')); await settle();
      const a = take('/a');
      a.respond(401, { cut: true }); await settle(); // A's 401: its body keeps coming
      run('c', fast.get('/c')); await settle(50); // held back: starts the refresh, out with the new token
      if ('${bodyEnds}' === 'before') { a.finish(); await settle(50); }
      take('/c').respond(401); await settle(50); // the new token is refused too
      if ('${bodyEnds}' === 'after') { a.finish(); await settle(50); }
      for (let i = 0; i < 5 && pending.length; i += 1) { for (const e of pending.splice(0)) e.respond(401); await settle(50); }
      console.log(JSON.stringify({ callbacks: calls, c: results.c, cSends: sent.filter((s) => s.path === '/c').length }));
      process.exit(0);`);
    assert.deepEqual(out, { callbacks: 1, c: 'ACCESS_TOKEN_EXPIRED', cSends: 1 });
  });
}

// Rule 4: a call that had its own 401 and refresh keeps them when a refresh it later
// waits for (while out of a retry's delay) was another call's refusal whose 401 then
// broke off: that cut gives it no second refresh, and it is sent at most twice for 401s.
test('a call that had its own refresh keeps it when a refusal it waited for later turns out cut', () => {
  const out = scenario(`
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    // The retry jitter, fixed: B's delay (after its 503) is 50 ms, well inside the 400-ms
    // sleep; A's (after its cut 401) about 250 ms, well past the few ms in which B's 401
    // is counted. With a near-zero jitter A would be back in time to start a refresh of
    // its own (it has had none, and B's 401 refused the token), counted here as B's.
    const jitter = [0.2, 0.999];
    Math.random = () => jitter.shift() ?? 0.999;
    const retrying = await AlternativeClient.create({
      accessToken: jwt(nowS(), nowS() + 3600), baseUrl: 'http://localhost',
      onAccessTokenExpired: () => { calls += 1; return new Promise((resolve, reject) => { next = { resolve, reject }; }); },
    });
    run('b', retrying.get('/b')); await settle();
    take('/b').respond(401); await settle(); // B's own 401: its refresh
    next.resolve(jwt(nowS(), nowS() + 600)); await settle();
    run('a', retrying.get('/a')); await settle(); // A: out with that token, no refresh yet
    take('/b').respond(503); await settle(); // B waits out a retry delay
    advance(600_000 - 10_000); // the token is due
    run('d', retrying.get('/d')); await settle(); // D: a proactive refresh
    await sleep(400); await settle(); // B's delay is over: it waits for that refresh
    const a = take('/a');
    a.respond(401, { cut: true }); await settle(); // A's first 401 joins it; its body keeps coming
    next.resolve(jwt(nowS(), nowS() + 3600)); await settle(50);
    const before = calls;
    a.cut(); await settle(50); // A's 401 breaks off
    take('/b').respond(401); await settle(50); // B refused with the newest token
    const fromB = calls - before;
    for (let i = 0; i < 5 && pending.length; i += 1) { for (const e of pending.splice(0)) e.respond(e.path === '/b' ? 401 : 200); await settle(50); }
    console.log(JSON.stringify({ b: results.b, callbacksFromB: fromB, bTokens: sent.filter((s) => s.path === '/b').map((s) => s.token) }));
    process.exit(0);`);
  assert.equal(out.b, 'ACCESS_TOKEN_EXPIRED');
  assert.equal(out.callbacksFromB, 0);
  assert.equal(new Set(out.bTokens).size, 3, `B went out with 3 tokens: its first, its refresh's and the proactive one (${out.bTokens})`);
});
