// What only Node has: a `Buffer` (a typed array whose `toJSON` hides it from a check made
// after it), and no `reportError`. Each case runs in a process of its own with the Node
// build of the checkout entry and a hand-answered `fetch` (tests/e2e/node-races/harness.mjs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const harness = JSON.stringify(new URL('./node-races/harness.mjs', import.meta.url).href);

/** Runs `script` after the harness's import; returns its last line, as JSON. */
function inNode(script) {
  const run = spawnSync('node', ['--input-type=module', '-e', `
    import { AlternativeClient, jwt, nowS, settle, take, sent, pending } from ${harness};
    ${script}`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

test('a Buffer body, at the top or inside an object, is a ConfigurationError (key body) and nothing is sent; a getter in a body runs once', () => {
  const out = inNode(`
    const client = await AlternativeClient.create({ accessToken: jwt(nowS(), nowS() + 3600), baseUrl: 'http://localhost' });
    // (A request that did go out is answered, so that the call ends.)
    const outcome = async (p) => {
      const result = p.then(() => 'sent', (e) => e.name + ' ' + e.key);
      await settle();
      while (pending.length) pending.shift().respond(200);
      return result;
    };
    const top = await outcome(client.post('/p', Buffer.from('{"amount":4999}')));
    const inside = await outcome(client.post('/p', { data: Buffer.from('hi') }));
    const inArray = await outcome(client.post('/p', [Buffer.alloc(1)]));
    const before = sent.length;
    // A getter runs once, as JSON.stringify alone runs it, and a Date goes as its toJSON().
    let reads = 0;
    const withGetter = await outcome(client.post('/p', { get amount() { reads += 1; return 1; }, at: new Date(0) }));
    console.log(JSON.stringify({ top, inside, inArray, refusedSent: before, withGetter, reads }));
  `);
  const refused = 'ConfigurationError body';
  assert.deepEqual(out, { top: refused, inside: refused, inArray: refused, refusedSent: 0, withGetter: 'sent', reads: 1 });
});

test('what onTokenRefreshed throws is an uncaught exception (Node has no reportError), and the call goes on', () => {
  const out = inNode(`
    const uncaught = [];
    process.on('uncaughtException', (e) => uncaught.push(e.message));
    const client = await AlternativeClient.create({
      accessToken: jwt(nowS(), nowS() + 3600), baseUrl: 'http://localhost', retry: false,
      onAccessTokenExpired: () => jwt(nowS(), nowS() + 3600),
      onTokenRefreshed: () => { throw new Error('listener bug'); },
    });
    const call = client.get('/w').then(() => 'ok', (e) => e.code);
    await settle(); take('/w').respond(401);
    await settle(); take('/w').respond(200);
    const result = await call;
    await settle();
    console.log(JSON.stringify({ result, uncaught, typeofReportError: typeof reportError }));
  `);
  assert.deepEqual(out, { result: 'ok', uncaught: ['listener bug'], typeofReportError: 'undefined' });
});
