// A Node harness for exact refresh races: `fetch` answered by hand, `Date.now` moved by
// hand, and the Node build of the checkout entry. Each scenario runs in a process of
// its own (tests/e2e/node-races.test.mjs) and prints its outcome as JSON.
export let now = 1_700_000_000_000;
Date.now = () => now;
export const advance = (ms) => { now += ms; };
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
let seq = 0;
/** A JWT numbered `n` (1, 2, …) in its payload, so that each request says which it carried. */
export const jwt = (iatS, expS) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: iatS, exp: expS, n: ++seq })}.c2ln`;
export const nowS = () => Math.floor(now / 1000);
export const pending = [];
/** Every request sent, in order: its path and the number of its token. */
export const sent = [];
globalThis.fetch = async function fetch(url, init) {
  const token = init.headers.get('authorization').slice(7);
  const entry = { path: new URL(String(url)).pathname, token: JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).n };
  sent.push({ path: entry.path, token: entry.token });
  return new Promise((resolve, reject) => {
    init.signal?.addEventListener('abort', () => reject(init.signal.reason));
    /**
     * Answers `status`. `cut`: the body stops after its first bytes until `entry.cut()`
     * breaks it off or `entry.finish()` ends it.
     */
    entry.respond = (status, { cut = false } = {}) => {
      if (!cut) return resolve(new Response('{}', { status, headers: { 'content-type': 'application/json' } }));
      let body;
      const stream = new ReadableStream({ start(c) { body = c; c.enqueue(new TextEncoder().encode('{"a":')); } });
      entry.cut = () => body.error(new TypeError('terminated'));
      entry.finish = () => { body.enqueue(new TextEncoder().encode('1}')); body.close(); };
      return resolve(new Response(stream, { status, headers: { 'content-type': 'application/json' } }));
    };
    pending.push(entry);
  });
};
/** Lets every pending job and microtask run. */
export const settle = (n = 20) => new Promise((done) => { let i = 0; const f = () => (++i >= n ? done() : setImmediate(f)); f(); });
/** The request to `path` waiting for its answer. */
export const take = (path) => {
  const i = pending.findIndex((e) => e.path === path);
  if (i < 0) throw new Error(`no request to ${path} is waiting`);
  return pending.splice(i, 1)[0];
};
export const { AlternativeClient } = await import('../../../pkg/checkout.node.js');
