// Where figure 2's gap goes: the wall time of one request, split into phases, for the SDK
// and for plain JS `fetch` calls, sides interleaved request by request in one page.
//
//   bash scripts/bench.sh bench/phases.mjs      (env: N requests per side, default 400)
//   RAW=1 NODE_OPTIONS=--experimental-websocket bash scripts/bench.sh bench/phases.mjs
//       the same page driven over a bare DevTools connection (lib/raw-page.mjs), without
//       the per-request instrumentation Playwright switches on: what a shopper's browser sees
//
// Sides:
//   ours          client.get(path)
//   plain         fetch + json(), figure 2's baseline
//   sameOptions   fetch with what the SDK must send (a `Headers` with Authorization,
//                 `redirect: 'error'`, an abort signal and its deadline timer), then
//                 text() + JSON.parse, as the SDK reads a body
//   busyAfter     sameOptions, then 0.2 ms of busy JS right after `fetch` is called: a
//                 control showing what main-thread CPU during the flight costs on this
//                 machine, whoever spends it
// Phases (page clock; `fetch` and `Response.prototype.text` are wrapped to time them):
//   before   call → `fetch` called
//   flight   `fetch` called → its promise resolved (headers in)
//   toBody   headers in → `text()` called (0 for sides that do not read text)
//   body     `text()` called → resolved
//   after    body in (or headers in, for `json()`) → the caller's `await` resumes
// Numbers are means with the top and bottom 10 % dropped (the page clock is coarsened to
// 0.1 ms, so medians of single requests would only show the grid). Nothing is asserted.
import { launch, openPage } from './lib/browser.mjs';
import { openRawPage } from './lib/raw-page.mjs';

const url = process.env.SANDBOX_URL;
const n = Number(process.env.N || 400);

async function inPage(n) {
  const minted = await fetch('/__sandbox/mint', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'checkout', invoiceId: 'inv_1001', ttl: 3600 }),
  });
  const token = (await minted.json()).token;
  const path = '/v1/invoices/inv_1001';
  const { AlternativeClient } = await import('/pkg/checkout.js');
  const client = await AlternativeClient.create({ accessToken: token, baseUrl: location.origin });

  let now = {};
  const realFetch = window.fetch;
  const realText = Response.prototype.text;
  window.fetch = function (...args) {
    now.fetch = performance.now();
    const p = realFetch.apply(this, args);
    p.then(() => { now.headers = performance.now(); }, () => {});
    return p;
  };
  Response.prototype.text = function () {
    now.text = performance.now();
    const p = realText.call(this);
    p.then(() => { now.body = performance.now(); }, () => {});
    return p;
  };

  const sameOptions = (busyMs) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30_000);
    const headers = new Headers();
    headers.set('authorization', `Bearer ${token}`);
    const sent = fetch(location.origin + path, { method: 'GET', headers, redirect: 'error', cache: 'no-store', signal: controller.signal });
    const until = performance.now() + busyMs;
    while (performance.now() < until);
    return sent.then((r) => r.text()).then(JSON.parse).finally(() => clearTimeout(timer));
  };
  const sides = {
    ours: () => client.get(path),
    plain: () => fetch(location.origin + path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' }).then((r) => r.json()),
    sameOptions: () => sameOptions(0),
    busyAfter: () => sameOptions(0.2),
  };
  const rows = Object.fromEntries(Object.keys(sides).map((k) => [k, []]));
  for (let i = 0; i < 50 + n; i += 1) {
    for (const [side, call] of Object.entries(sides)) {
      now = {};
      const start = performance.now();
      const body = await call();
      const end = performance.now();
      if (body?.id !== 'inv_1001') throw new Error(`${side}: unexpected body ${JSON.stringify(body)}`);
      if (i < 50) continue; // warm-up
      const bodyIn = now.body ?? now.headers;
      rows[side].push({
        before: now.fetch - start,
        flight: now.headers - now.fetch,
        toBody: now.text === undefined ? 0 : now.text - now.headers,
        body: now.text === undefined ? 0 : now.body - now.text,
        after: end - bodyIn,
        total: end - start,
      });
    }
  }
  window.fetch = realFetch;
  Response.prototype.text = realText;
  client.destroy();
  const trimmedMean = (xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const cut = Math.floor(sorted.length / 10);
    const kept = sorted.slice(cut, sorted.length - cut);
    return kept.reduce((s, x) => s + x, 0) / kept.length;
  };
  return Object.fromEntries(Object.entries(rows).map(([side, rs]) => [
    side,
    Object.fromEntries(Object.keys(rs[0]).map((phase) => [phase, trimmedMean(rs.map((r) => r[phase]))])),
  ]));
}

let result;
let close;
if (process.env.RAW) {
  const page = await openRawPage(`${url}/bench.html`);
  close = () => page.close();
  result = await page.evaluate(inPage, n);
} else {
  const browser = await launch();
  close = () => browser.close();
  const context = await browser.newContext();
  const { page } = await openPage(context, `${url}/bench.html`, () => window.bench !== undefined);
  result = await page.evaluate(inPage, n);
}
try {
  const phases = Object.keys(result.ours);
  console.log(`| side | ${phases.join(' | ')} | total vs plain |`);
  console.log(`|---|${phases.map(() => '---:').join('|')}|---:|`);
  for (const [side, p] of Object.entries(result)) {
    const cells = phases.map((k) => p[k].toFixed(3));
    console.log(`| ${side} | ${cells.join(' | ')} | ${(p.total / result.plain.total).toFixed(2)}× |`);
  }
  const how = process.env.RAW ? 'bare DevTools connection' : 'Playwright';
  console.log(`\nms, trimmed means of ${n} requests per side, sides interleaved; ${how}; ${new Date().toISOString()}`);
} finally {
  await close();
}
