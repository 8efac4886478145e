// Refresh races that need exact timing (a 401 whose body breaks off after its refresh
// started, a refresh that fails meanwhile), scripted with a hand-answered `fetch` in Node
// (tests/e2e/node-races/harness.mjs): the same wasm and rules as in a browser.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const harness = JSON.stringify(new URL('./node-races/harness.mjs', import.meta.url).href);

/** Runs `script` after the harness's import, in a process of its own; its last line, as JSON. */
function scenario(script) {
  const run = spawnSync('node', ['--input-type=module', '-e', `
    import { AlternativeClient, jwt, nowS, advance, settle, take } from ${harness};
    ${script}`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

// A 401 that breaks off mid-body is a network failure, not a refusal (rule 7): a refresh
// it joined, which then failed, is no refresh of a refused token, so a call queued
// meanwhile has not had its refresh. Its own 401 refreshes (rule 1).
test('a queued call is not counted as refreshed by a failed refresh that a 401 cut mid-body had joined: its own 401 calls the callback', () => {
  const out = scenario(`
    let calls = 0;
    let next;
    const client = await AlternativeClient.create({
      accessToken: jwt(nowS(), nowS() + 3600), baseUrl: 'http://localhost', retry: false,
      onAccessTokenExpired: () => { calls += 1; return new Promise((resolve, reject) => { next = { resolve, reject }; }); },
    });
    const results = {};
    const run = (name, p) => p.then(() => { results[name] = 'ok'; }, (e) => { results[name] = e.code; });
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
