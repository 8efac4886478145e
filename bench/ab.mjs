// A/B of two builds in one page: the build under test (pkg/, served at /pkg/) against
// another one copied to bench/www/ab-old/ (git-ignored), sides interleaved in blocks so
// the machine's drift hits both. For changes too small for figure 2's run-to-run noise.
//
//   git worktree add /tmp/old <commit> && (cd /tmp/old && npm run build)
//   cp -r /tmp/old/pkg bench/www/ab-old
//   bash scripts/bench.sh bench/ab.mjs                 # per request, real fetch (figure 2's loop)
//   FAKE=1 bash scripts/bench.sh bench/ab.mjs          # per request, fetch replaced by an instant
//                                                      # Response: the SDK's own CPU time only
//   MODE=jwt bash scripts/bench.sh bench/ab.mjs        # figure 4's loop (setAccessToken + claims)
// Env: BLOCKS (default 20), PER (requests per block and side, default 30).
import { launch, openPage } from './lib/browser.mjs';

const url = process.env.SANDBOX_URL;
const settings = {
  mode: process.env.MODE || 'request',
  fake: Boolean(process.env.FAKE),
  blocks: Number(process.env.BLOCKS || 20),
  per: Number(process.env.PER || 30),
};

async function inPage({ mode, fake, blocks, per }) {
  const Old = (await import('/ab-old/checkout.js')).AlternativeClient;
  const New = (await import('/pkg/checkout.js')).AlternativeClient;
  const minted = await fetch('/__sandbox/mint', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'checkout', invoiceId: 'inv_1001', ttl: 3600 }),
  });
  const token = (await minted.json()).token;
  const clients = {
    old: await Old.create({ accessToken: token, baseUrl: location.origin }),
    new: await New.create({ accessToken: token, baseUrl: location.origin }),
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  if (mode === 'jwt') {
    // 10,000 distinct tokens (payload field `n`), as figure 4.
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const b64 = (text) => btoa(text).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
    const tokens = Array.from({ length: 10000 }, (_, n) => `${header}.${b64(JSON.stringify({ ...claims, n }))}.${signature}`);
    const run = (c) => tokens.reduce((sum, t) => { c.setAccessToken(t); return sum + c.claims.exp; }, 0);
    const ms = { old: [], new: [] };
    for (let r = -1; r < blocks; r += 1) {
      const order = r % 2 ? ['old', 'new'] : ['new', 'old'];
      for (const side of order) {
        const t0 = performance.now();
        run(clients[side]);
        if (r >= 0) ms[side].push(performance.now() - t0);
      }
    }
    return { unit: 'ms per 10,000 tokens', old: median(ms.old), new: median(ms.new), newOverOld: median(ms.new.map((t, i) => t / ms.old[i])) };
  }
  const path = '/v1/invoices/inv_1001';
  if (fake) {
    const body = JSON.stringify({ id: 'inv_1001', amount: 100, currency: 'EUR', items: [1, 2, 3] });
    window.fetch = async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  }
  const sides = {
    old: () => clients.old.get(path),
    new: () => clients.new.get(path),
    plain: () => fetch(location.origin + path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' }).then((r) => r.json()),
  };
  for (let w = 0; w < 50; w += 1) for (const f of Object.values(sides)) await f();
  const us = { old: [], new: [], plain: [] };
  for (let b = 0; b < blocks; b += 1) {
    const order = Object.keys(sides);
    if (b % 2) order.reverse();
    for (const side of order) {
      const t0 = performance.now();
      for (let i = 0; i < per; i += 1) await sides[side]();
      us[side].push(((performance.now() - t0) / per) * 1000);
    }
  }
  const toPlain = (side) => median(us[side].map((t, i) => t / us.plain[i]));
  return { unit: 'µs per request', old: median(us.old), new: median(us.new), plain: median(us.plain), oldToPlain: toPlain('old'), newToPlain: toPlain('new') };
}

const browser = await launch();
try {
  const context = await browser.newContext();
  const { page } = await openPage(context, `${url}/bench.html`, () => window.bench !== undefined);
  const result = await page.evaluate(inPage, settings);
  const round = (v) => (typeof v === 'number' ? Number(v.toFixed(3)) : v);
  console.log(JSON.stringify({ ...settings, ...Object.fromEntries(Object.entries(result).map(([k, v]) => [k, round(v)])) }));
} finally {
  await browser.close();
}
