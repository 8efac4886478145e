// Where figure 5's cold start goes: one script tag → `create()`, in fresh contexts with the
// cache off (as figure 5), split into phases by resource timing and by wrapping
// `WebAssembly.instantiateStreaming`/`instantiate` in the page.
//
//   bash scripts/bench.sh bench/cold-phases.mjs
//   SCRIPTS=/pkg/partner-sdk.js,/pkg/variant.js bash scripts/bench.sh bench/cold-phases.mjs
//       (A/B of script variants copied into pkg/, alternating context by context)
// Env: N contexts in all (default 24).
//
// Phases, medians over the contexts (ms; each phase's median on its own, so they need not
// add up to the total):
//   script in        script tag inserted → its last byte in
//   to wasm fetch    script's last byte in → the wasm request starts (the script is parsed
//                    and its first statement runs)
//   script run       script's last byte in → its `load` event (the whole script ran)
//   wasm in          the wasm request starts → its last byte in
//   to instantiate   wasm's last byte in → `instantiateStreaming` called (the pinned fetch
//                    settles once Chromium has checked the bytes)
//   instantiate      `instantiateStreaming` called → resolved
//   first create     instantiated → the first `create()` resolved (its code is compiled
//                    lazily, on first call, JS and wasm alike)
//   second create    a second `create()` at once: the same work, compiled
//   total            script tag inserted → the first `create()` resolved
import { launch, openPage } from './lib/browser.mjs';
import { mintCheckoutToken } from './lib/sandbox.mjs';

const url = process.env.SANDBOX_URL;
const scripts = (process.env.SCRIPTS || '/pkg/partner-sdk.js').split(',');
const n = Number(process.env.N || 24);

async function coldStart([nonce, accessToken, src]) {
  const t = {};
  const t0 = performance.now();
  const at = () => performance.now() - t0;
  for (const name of ['instantiateStreaming', 'instantiate']) {
    const real = WebAssembly[name];
    WebAssembly[name] = function (...args) {
      t.instantiate0 ??= at();
      const p = real.apply(this, args);
      p.then(() => { t.instantiate1 ??= at(); }, () => {});
      return p;
    };
  }
  const script = document.createElement('script');
  script.src = `${src}?cold=${nonce}`;
  const loaded = new Promise((resolve, reject) => { script.onload = resolve; script.onerror = reject; });
  document.head.append(script);
  await loaded;
  t.onload = at();
  const options = { accessToken, baseUrl: location.origin };
  const first = await window.PartnerSDK.AlternativeClient.create(options);
  t.created1 = at();
  const second = await window.PartnerSDK.AlternativeClient.create(options);
  t.created2 = at();
  first.destroy();
  second.destroy();
  const entry = (path) => performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === path);
  const js = entry(src);
  const wasm = entry('/pkg/checkout_bg.wasm');
  return {
    'script in': js.responseEnd - t0,
    'to wasm fetch': wasm.startTime - js.responseEnd,
    'script run': t.onload - (js.responseEnd - t0),
    'wasm in': wasm.responseEnd - wasm.startTime,
    'to instantiate': t.instantiate0 - (wasm.responseEnd - t0),
    instantiate: t.instantiate1 - t.instantiate0,
    'first create': t.created1 - t.instantiate1,
    'second create': t.created2 - t.created1,
    total: t.created1,
  };
}

const rows = Object.fromEntries(scripts.map((s) => [s, []]));
const browser = await launch();
try {
  for (let i = 0; i < n; i += 1) {
    const src = scripts[i % scripts.length];
    const token = await mintCheckoutToken(url);
    const context = await browser.newContext();
    const { page } = await openPage(context, `${url}/blank.html`);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    rows[src].push(await page.evaluate(coldStart, [`${Date.now()}-${i}`, token, src]));
    await context.close();
  }
} finally {
  await browser.close();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const phases = Object.keys(rows[scripts[0]][0]);
console.log(`| script | ${phases.join(' | ')} |`);
console.log(`|---|${phases.map(() => '---:').join('|')}|`);
for (const [src, rs] of Object.entries(rows)) {
  console.log(`| ${src} | ${phases.map((p) => median(rs.map((r) => r[p])).toFixed(1)).join(' | ')} |`);
}
console.log(`\nms, medians of ${n / scripts.length} fresh contexts per script, cache off; ${new Date().toISOString()}`);
