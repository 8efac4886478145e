// Node: what a replaced `fetch` answers (a test's mock, a Proxy of a Response) reaches
// the SDK as a genuine Response or as a NetworkError; it never stalls the module.
// In Node every attempt goes through the guarded path: Node's `fetch` is not the
// engine's native code, so the SDK cannot tell it from a page's wrapper.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { after, before, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startSandbox } from './helpers.mjs';

let sandbox;
let AlternativeClient;
before(async () => {
  sandbox = await startSandbox();
  ({ AlternativeClient } = await import('../../pkg/checkout.node.js'));
});
after(async () => {
  await sandbox?.stop();
});

const INVOICE = '/v1/invoices/inv_1001';

async function client() {
  const minted = await sandbox.post('/__sandbox/mint', { kind: 'checkout', invoiceId: 'inv_1001', ttl: 600 });
  const { token } = await minted.json();
  return AlternativeClient.create({ accessToken: token, baseUrl: sandbox.url, retry: false });
}

/** `promise`'s outcome, or 'hung' after `ms`. */
function outcome(promise, ms = 5000) {
  let timer;
  const hung = new Promise((done) => { timer = setTimeout(() => done('hung'), ms); });
  return Promise.race([
    promise.then((value) => ({ value }), (error) => ({ error: `${error.name} ${error.code}` })),
    hung,
  ]).finally(() => clearTimeout(timer));
}

test('Node: a fetch wrapper answering a Proxy or a mock gets a result or a NetworkError, and the module goes on', async () => {
  const c = await client();
  const real = globalThis.fetch;
  const cases = [
    // A Proxy that throws when asked for `status`: the SDK reads the Response itself.
    ['a Proxy throwing on status', (...a) => real(...a).then((r) => new Proxy(r, {
      get(t, k) { if (k === 'status') throw new Error('hostile'); const v = Reflect.get(t, k); return typeof v === 'function' ? v.bind(t) : v; },
    })), 'inv_1001'],
    ['a mock with a synchronous text()', async () => ({ status: 200, headers: {}, text: () => '{"id":"inv_1001"}' }), 'inv_1001'],
    ['a mock whose status getter throws', async () => ({ get status() { throw new Error('hostile'); }, text: async () => '{}' }), 'NetworkError NETWORK_ERROR'],
    ['a mock whose text() gives an object', async () => ({ status: 200, text: async () => ({}) }), 'NetworkError NETWORK_ERROR'],
  ];
  try {
    for (const [name, wrapper, expected] of cases) {
      globalThis.fetch = wrapper;
      for (let i = 0; i < 3; i += 1) {
        const got = await outcome(c.get(INVOICE));
        assert.notEqual(got, 'hung', `${name}: the call hung`);
        assert.equal(got.value ? got.value.id : got.error, expected, name);
      }
    }
  } finally {
    globalThis.fetch = real;
  }
  const again = await outcome(c.get(INVOICE));
  assert.equal(again.value?.id, 'inv_1001', 'the client goes on with the real fetch');
  const other = await outcome((await client()).get(INVOICE));
  assert.equal(other.value?.id, 'inv_1001', 'and so does a new client');
});

test('Node: a wrapper\'s body that never ends still ends with the deadline, the caller\'s abort or destroy()', async () => {
  const real = globalThis.fetch;
  let cancelled = 0;
  // Headers at once, then a body that never finishes: nothing at all, or a first chunk.
  const stalled = (chunk) => async () => new Response(new ReadableStream({
    start(c) { if (chunk) c.enqueue(new TextEncoder().encode(chunk)); },
    cancel() { cancelled += 1; },
  }), { status: 200 });
  const minted = await sandbox.post('/__sandbox/mint', { kind: 'checkout', invoiceId: 'inv_1001', ttl: 600 });
  const { token } = await minted.json();
  const reason = (e) => Promise.reject(Object.assign(new Error(), { name: 'Abort', code: e.message }));
  try {
    for (const chunk of [null, '{"id":']) {
      globalThis.fetch = stalled(chunk);
      const c = await AlternativeClient.create({ accessToken: token, baseUrl: sandbox.url, retry: false, requestTimeoutMs: 500 });
      assert.deepEqual(await outcome(c.get(INVOICE)), { error: 'NetworkError REQUEST_TIMEOUT' }, `deadline, chunk ${chunk}`);
      const slow = await AlternativeClient.create({ accessToken: token, baseUrl: sandbox.url, retry: false, requestTimeoutMs: 60000 });
      const controller = new AbortController();
      const held = slow.get(INVOICE, { signal: controller.signal }).catch(reason);
      setTimeout(() => controller.abort(new Error('left the page')), 200);
      assert.deepEqual(await outcome(held), { error: 'Abort left the page' }, `abort, chunk ${chunk}`);
      const pending = slow.get(INVOICE);
      setTimeout(() => slow.destroy(), 200);
      assert.deepEqual(await outcome(pending), { error: 'ClientDestroyedError CLIENT_DESTROYED' }, `destroy, chunk ${chunk}`);
    }
    assert.equal(cancelled, 6, 'each stalled body was cancelled');
  } finally {
    globalThis.fetch = real;
  }
});

test('Node: a signal look-alike is refused, as fetch refuses it (Node\'s own AbortSignal.any takes it)', async () => {
  const c = await client();
  const lookAlike = { aborted: false, reason: undefined, addEventListener() {}, removeEventListener() {} };
  assert.deepEqual(await outcome(c.get(INVOICE, { signal: lookAlike })), { error: 'ConfigurationError INVALID_CONFIGURATION' });
  assert.equal((await outcome(c.get(INVOICE, { signal: new AbortController().signal }))).value?.id, 'inv_1001');
});

test('Node without AbortSignal.any (20.0–20.2, as older browsers): a caller\'s signal still works, a look-alike is still refused', async () => {
  const c = await client();
  const any = Object.getOwnPropertyDescriptor(AbortSignal, 'any');
  delete AbortSignal.any;
  try {
    assert.equal(typeof AbortSignal.any, 'undefined');
    const plain = await outcome(c.get(INVOICE, { signal: new AbortController().signal }));
    assert.equal(plain.value?.id, 'inv_1001', JSON.stringify(plain));
    // An abort while the answer is held back ends the call at once with its reason.
    await sandbox.post('/__sandbox/faults', { path: INVOICE, delay_ms: 20000 });
    const controller = new AbortController();
    const held = c.get(INVOICE, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('left the page')), 200);
    const cut = await outcome(held.catch((e) => Promise.reject(Object.assign(new Error(e.message), { name: 'Abort', code: e.message }))));
    assert.deepEqual(cut, { error: 'Abort left the page' });
    const early = new AbortController();
    early.abort(new Error('before'));
    assert.deepEqual(await outcome(c.get(INVOICE, { signal: early.signal }).catch((e) => Promise.reject(Object.assign(new Error(), { name: 'Abort', code: e.message })))), { error: 'Abort before' });
    const fake = await outcome(c.get(INVOICE, { signal: Object.create(AbortSignal.prototype) }));
    assert.deepEqual(fake, { error: 'ConfigurationError INVALID_CONFIGURATION' });
    // A page's long-lived signal does not keep what the SDK joined to it: once collected,
    // its listeners go, as with the native AbortSignal.any.
    await sandbox.post('/__sandbox/reset', {});
    const page = new AbortController();
    for (let i = 0; i < 100; i++) assert.ok((await outcome(c.get(INVOICE, { signal: page.signal }))).value);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    let left = getEventListeners(page.signal, 'abort').length;
    for (let i = 0; i < 50 && left > 5; i++) {
      gc();
      await new Promise((done) => setTimeout(done, 20));
      left = getEventListeners(page.signal, 'abort').length;
    }
    assert.ok(left <= 5, `${left} listeners left on the page's signal after 100 calls`);
  } finally {
    Object.defineProperty(AbortSignal, 'any', any);
    await sandbox.post('/__sandbox/reset', {});
  }
});

test('Node: calls that share a long-lived signal leave nothing behind once they end (each request\'s init is collected)', async () => {
  const c = await client();
  const real = globalThis.fetch;
  let collected = 0;
  const registry = new FinalizationRegistry(() => { collected += 1; });
  globalThis.fetch = (url, init) => {
    registry.register(init, 0);
    return real(url, init);
  };
  const page = new AbortController(); // a page's signal that outlives its calls
  try {
    for (let i = 0; i < 100; i++) assert.ok((await outcome(c.get(INVOICE, { signal: page.signal }))).value);
  } finally {
    globalThis.fetch = real;
  }
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  for (let i = 0; i < 50 && collected < 90; i++) {
    gc();
    await new Promise((done) => setTimeout(done, 20));
  }
  assert.ok(collected >= 90, `${collected} of 100 calls' request init collected while the signal lives`);
  assert.equal(page.signal.aborted, false); // (the signal is still alive here)
  c.destroy();
});

test("Node: a server's long-lived signal shared by every call gets one listener and no entry per call, and still aborts a call", async () => {
  const c = await client();
  const shutdown = new AbortController();
  const warnings = [];
  const onWarning = (w) => warnings.push(w.name);
  process.on('warning', onWarning);
  // Each attempt's own signal (joined to the shared one) must be collectable once its
  // call is over: the shared signal's list holds it only weakly.
  const real = globalThis.fetch;
  let collected = 0;
  const registry = new FinalizationRegistry(() => { collected += 1; });
  globalThis.fetch = (url, init) => {
    registry.register(init.signal, 0);
    return real(url, init);
  };
  try {
    for (let i = 0; i < 60; i++) assert.ok((await outcome(c.get(INVOICE, { signal: shutdown.signal }))).value);
  } finally {
    globalThis.fetch = real;
    process.off('warning', onWarning);
  }
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  for (let i = 0; i < 50 && collected < 55; i++) {
    gc();
    await new Promise((done) => setTimeout(done, 20));
  }
  assert.ok(collected >= 55, `${collected} of 60 attempts' signals collected while the shared one lives`);
  // Node's own AbortSignal.any keeps an entry here for every signal ever joined to this
  // one (two a call), until it aborts (nodejs/node#55351).
  const dependants = Object.getOwnPropertySymbols(shutdown.signal).find((s) => s.description === 'kDependantSignals');
  const kept = dependants === undefined ? 0 : (shutdown.signal[dependants]?.size ?? 0);
  assert.equal(kept, 0, `${kept} entries kept on the shared signal after 60 calls`);
  assert.equal(getEventListeners(shutdown.signal, 'abort').length, 1);
  assert.deepEqual(warnings, []);
  await sandbox.post('/__sandbox/faults', { path: INVOICE, delay_ms: 3000 });
  const late = outcome(c.get(INVOICE, { signal: shutdown.signal }).catch((e) => Promise.reject(Object.assign(new Error(), { name: 'Abort', code: e.message }))));
  setTimeout(() => shutdown.abort(new Error('shutting down')), 100);
  assert.deepEqual(await late, { error: 'Abort shutting down' });
  await sandbox.post('/__sandbox/reset', {});
  c.destroy();
});

/** Runs `script` (an ES module) in a Node process of its own; its stdout, or 'killed' after 30 s. */
function inOwnProcess(script, env) {
  return new Promise((done) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, env: { ...process.env, ...env } },
      (error, stdout) => done(error?.killed ? 'killed' : stdout.trim()));
  });
}

test('Node: an attempt keeps the process alive until its requestTimeoutMs (a fetch mock that never answers gets REQUEST_TIMEOUT), and an ended one does not', async () => {
  const entry = JSON.stringify(new URL('../../pkg/checkout.node.js', import.meta.url).href);
  const minted = await sandbox.post('/__sandbox/mint', { kind: 'checkout', invoiceId: 'inv_1001', ttl: 600 });
  const { token } = await minted.json();
  const env = { TOKEN: token, BASE: sandbox.url };
  // A mock that never settles, not even on abort: nothing but the SDK's deadline holds
  // the process, and the call must still settle.
  const hung = await inOwnProcess(`
    const { AlternativeClient } = await import(${entry});
    const c = await AlternativeClient.create({ accessToken: process.env.TOKEN, baseUrl: process.env.BASE, requestTimeoutMs: 500, retry: false });
    globalThis.fetch = () => new Promise(() => {});
    await c.get('/v1/invoices/inv_1001').then(() => console.log('answered'), (e) => console.log(e.code));
  `, env);
  assert.equal(hung, 'REQUEST_TIMEOUT');
  // A long requestTimeoutMs, a call that ended, no destroy(): nothing keeps the process
  // (a deadline timer left set would hold it for 10 minutes; it is killed at 30 s).
  const ended = await inOwnProcess(`
    const { AlternativeClient } = await import(${entry});
    const c = await AlternativeClient.create({ accessToken: process.env.TOKEN, baseUrl: process.env.BASE, requestTimeoutMs: 600_000 });
    console.log((await c.get('/v1/invoices/inv_1001')).id);
  `, env);
  assert.equal(ended, 'inv_1001');
  // A page's init() whose promise never settles, overtaken by the default load: its
  // 60 s load deadline holds nothing once the module is there.
  const overtaken = await inOwnProcess(`
    const m = await import(${entry});
    m.init(new Promise(() => {})).then(() => console.log('init settled'));
    await m.ready;
  `, env);
  assert.equal(overtaken, 'init settled');
});

test('Node: a retry object from another realm (a vm context, an iframe) is read like one of this realm', async () => {
  const minted = await sandbox.post('/__sandbox/mint', { kind: 'checkout', invoiceId: 'inv_1001', ttl: 600 });
  const { token } = await minted.json();
  const c = await AlternativeClient.create({ accessToken: token, baseUrl: sandbox.url, retry: vm.runInNewContext('({ limit: 0 })') });
  await sandbox.post('/__sandbox/faults', { path: INVOICE, status: 503 });
  const got = await c.get(INVOICE).then(() => null, (e) => `${e.name} ${e.status} ${e.attempts}`);
  assert.equal(got, 'ApiError 503 1', 'limit 0 read from the object: no retry');
  c.destroy();
});

test('Node: a redirect is refused as it is in a browser: never followed, never retried, and the error says so', async () => {
  // Retries on (rule 9's defaults): a 3xx is no transient failure. Node's fetch shows the
  // 3xx itself where a browser gives an opaque redirect; the SDK refuses both the same way.
  const minted = await sandbox.post('/__sandbox/mint', { kind: 'checkout', invoiceId: 'inv_1001', ttl: 600 });
  const { token } = await minted.json();
  const c = await AlternativeClient.create({ accessToken: token, baseUrl: sandbox.url });
  const echo = `${sandbox.url}/__sandbox/echo`;
  for (const status of [301, 302, 303, 307, 308]) {
    await sandbox.post('/__sandbox/faults', { path: INVOICE, count: 5, status, headers: { location: echo } });
    const before = (await sandbox.counters()).api_requests;
    const error = await c.get(INVOICE).then(() => assert.fail(`${status}: resolved`), (e) => e);
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    assert.equal(`${error.name} ${error.code}`, 'NetworkError NETWORK_ERROR', `${status}: ${error.message}`);
    assert.equal(error.attempts, 1, `${status}: attempts`);
    assert.match(error.message, /^GET \/v1\/invoices\/inv_1001: the API answered with a redirect/, `${status}`);
    assert.equal((await sandbox.counters()).api_requests - before, 1, `${status}: sent once`);
  }
  const again = await outcome(c.get(INVOICE));
  assert.equal(again.value?.id, 'inv_1001', 'the next call goes through');
});
