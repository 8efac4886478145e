// npm run bench, node half (scripts/bench.sh starts the sandbox and sets SANDBOX_URL):
// runs figures 1–7 side by side in one headless Chromium, prints one markdown table and
// writes bench/results.json with every raw number the table was computed from
// (BENCH_ONLY=<figures>: only those, into bench/tmp/results-only.json).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './lib/browser.mjs';
import { clockSkew, coldStart, jwtDecode, leaks, perRequest, refreshStorm, writeEmbeddedFloor } from './lib/figures.mjs';
import { machineInfo } from './lib/machine.mjs';
import { mintCheckoutToken } from './lib/sandbox.mjs';
import { measureSizes, writeEmbeddedClassic, writeJwtDecodeForPage } from './lib/size.mjs';
import { renderTable } from './lib/table.mjs';

const root = new URL('..', import.meta.url).pathname;
const url = process.env.SANDBOX_URL;
if (!url) throw new Error('SANDBOX_URL is not set: run `npm run bench`');

const started = Date.now();
const log = (what) => console.error(`[bench] ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s  ${what}`);

mkdirSync(join(root, 'bench/www/vendor'), { recursive: true });
await writeJwtDecodeForPage(root, join(root, 'bench/www/vendor/jwt-decode.js'));
writeEmbeddedFloor(join(root, 'pkg/checkout_bg.wasm'), join(root, 'bench/www/vendor/floor-embedded.js'));
const embeddedClassicBytes = await writeEmbeddedClassic(root, join(root, 'bench/www/vendor/partner-sdk-embedded.js'));

const mintToken = () => mintCheckoutToken(url);

// BENCH_ONLY=5 (or BENCH_ONLY=cold; comma-separated, e.g. BENCH_ONLY=2,5) runs only those
// figures and writes bench/tmp/results-only.json, leaving the recorded bench/results.json alone.
const NAMES = { size: '1', request: '2', storm: '3', jwt: '4', cold: '5', leak: '6', leaks: '6', skew: '7' };
const only = process.env.BENCH_ONLY
  ? new Set(process.env.BENCH_ONLY.split(',').map((f) => f.trim()).filter(Boolean).map((f) => NAMES[f] ?? f))
  : null;
if (only) {
  for (const f of only) if (!/^[1-7]$/.test(f)) throw new Error(`BENCH_ONLY: unknown figure ${f} (1–7 or ${Object.keys(NAMES).join(', ')})`);
}
const wanted = (figure) => !only || only.has(figure);

const results = {};
const browser = await launch();
try {
  results.machine = machineInfo(root, browser.version());
  if (wanted('1')) {
    log('1 size (pages in Chromium, fresh context each)');
    results.size = await measureSizes(root, browser, url);
  }
  const context = await browser.newContext();
  if (wanted('2')) {
    log('2 per-request overhead');
    results.perRequest = await perRequest(context, url);
  }
  if (wanted('3')) {
    log('3 refresh storm');
    results.storm = await refreshStorm(context, url);
  }
  if (wanted('4')) {
    log('4 JWT validate + decode');
    results.jwt = await jwtDecode(context, url);
  }
  if (wanted('6')) {
    log('6 leaks (ours, then plain fetch)');
    results.leaks = { ours: await leaks(context, url, 'ours'), plain: await leaks(context, url, 'plain') };
  }
  if (wanted('7')) {
    log('7 callbacks per token lifetime at five page-clock skews');
    results.skew = await clockSkew(context, url);
  }
  await context.close();
  if (wanted('5')) {
    log('5 cold start');
    results.cold = { ...await coldStart(browser, url, mintToken), embeddedBytes: embeddedClassicBytes };
    const c = results.cold;
    const t = (v) => v.toFixed(1);
    for (const [side, b, total] of [['ours', c.ours, c.oursMedianMs], ['preload', c.preload, c.preloadMedianMs]]) {
      log(`5 ${side} medians (ms): js fetched ${t(b.jsFetchedMedianMs)}, wasm requested ${t(b.wasmRequestedMedianMs)}, script loaded ${t(b.scriptLoadedMedianMs)}, wasm fetched ${t(b.wasmFetchedMedianMs)}, create resolved ${t(total)}; floor ${t(c.bareMedianMs)} (compiled ${t(c.bareCompileMedianMs)})`);
    }
    log(`5 script-tag floor (ms): unpinned ${t(c.floorMedianMs)} (${c.floorRatio.toFixed(2)}x), pinned ${t(c.floorPinnedMedianMs)} (${c.floorPinnedRatio.toFixed(2)}x), wasm inside the script ${t(c.floorEmbeddedMedianMs)} (${c.floorEmbeddedRatio.toFixed(2)}x); ours with the wasm inside ${t(c.embeddedMedianMs)} (${c.embeddedRatio.toFixed(2)}x)`);
  }
} finally {
  await browser.close();
}

results.machine.seconds = Math.round((Date.now() - started) / 1000);
if (only) results.machine.only = [...only].sort().join(',');
const table = renderTable(results);
results.table = table;
const out = only ? join(root, 'bench/tmp/results-only.json') : join(root, 'bench/results.json');
mkdirSync(join(out, '..'), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
const m = results.machine;
console.log(`partner-sdk bench, ${m.date}, ${m.nproc} × ${m.cpu}, node ${m.node}, Chromium ${m.chromium}, \`${m.command}\`${only ? `, figures ${m.only} only` : ''} (${m.seconds} s)\n`);
console.log(table);
log(`wrote ${out.slice(root.length)}`);
