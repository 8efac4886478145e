// Figures 2–7: each drives the page functions in bench/www and reduces their raw numbers.
import { heapAfterGc, heapSnapshotByType, openPage } from './browser.mjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { median, round } from './stats.mjs';

const SETTINGS = {
  overhead: { blocks: 20, perBlock: 50, warmup: 20 },
  // delayMs: fixed server latency on every API request of a storm run, both sides (sandbox
  // faults). On bare loopback Chromium hands a freed connection its next queued request
  // before page script runs, so no client can keep a queued request from going out.
  storm: { n: 1000, runs: 2, singlesPerRun: 5, delayMs: 20 },
  jwt: { n: 10_000, rounds: 6 },
  cold: { samples: 20 },
  leak: { baseline: 100, requests: 10_000, refreshes: 100, concurrency: 25 },
  // Page clock minus server clock, in seconds: −24 h, −20 min, 0, +20 min, +24 h.
  // 36 s tokens are due (30 s leeway) 6 s after they are minted: 8 s of GETs cross that once.
  skew: { skewsS: [-86_400, -1_200, 0, 1_200, 86_400], ttl: 36, durationMs: 8_000, spacingMs: 250 },
};
export { SETTINGS };

const benchReady = () => window.bench !== undefined;

/** 2. client.get vs fetch + json, interleaved blocks. */
export async function perRequest(context, url) {
  const { page } = await openPage(context, `${url}/bench.html`, benchReady);
  const raw = await page.evaluate((s) => window.bench.overhead(s), SETTINGS.overhead);
  await page.close();
  return {
    settings: SETTINGS.overhead,
    oursMedianMs: median(raw.times.ours),
    plainMedianMs: median(raw.times.plain),
    medianBlockRatio: median(raw.blockRatios),
    blockRatios: raw.blockRatios,
    // Every request's time (ms, in page order), for anyone re-deriving the medians.
    times: { ours: raw.times.ours.map((t) => round(t, 3)), plain: raw.times.plain.map((t) => round(t, 3)) },
  };
}

/**
 * 3. n concurrent requests on a revoked token, against one request that needs one refresh
 * (the figure asked for) and against the same storm through plain fetch with a hand-written
 * single-flight refresh (what the time is made of). Runs interleaved.
 */
export async function refreshStorm(context, url) {
  const { n, runs, singlesPerRun, delayMs } = SETTINGS.storm;
  const { page } = await openPage(context, `${url}/bench.html`, benchReady);
  const storm = (count, kind) => page.evaluate(([c, k, d]) => window.bench.refreshStorm(c, k, d), [count, kind, delayMs]);
  await storm(1, 'ours'); // warm-up
  const single = [];
  const ours = [];
  const plain = [];
  for (let r = 0; r < runs; r += 1) {
    for (let i = 0; i < singlesPerRun; i += 1) single.push(await storm(1, 'ours'));
    if (r % 2 === 0) {
      ours.push(await storm(n, 'ours'));
      plain.push(await storm(n, 'plain'));
    } else {
      plain.push(await storm(n, 'plain'));
      ours.push(await storm(n, 'ours'));
    }
  }
  await page.close();
  const stormMs = median(ours.map((s) => s.ms));
  const singleMs = median(single.map((s) => s.ms));
  const plainMs = median(plain.map((s) => s.ms));
  return {
    settings: SETTINGS.storm,
    stormRuns: ours,
    plainStormRuns: plain,
    singleRuns: single,
    stormMedianMs: stormMs,
    singleMedianMs: singleMs,
    plainStormMedianMs: plainMs,
    ratio: stormMs / singleMs,
    ratioToPlain: stormMs / plainMs,
    // What the server saw per storm run (/__sandbox/counters before and after).
    serverRequests: { ours: ours.map((s) => s.serverRequests), plain: plain.map((s) => s.serverRequests) },
    server401s: { ours: ours.map((s) => s.server401s), plain: plain.map((s) => s.server401s) },
  };
}

/** 4. ops/s over the same 10,000 tokens, median of rounds. */
export async function jwtDecode(context, url) {
  const { page } = await openPage(context, `${url}/bench.html`, benchReady);
  const raw = await page.evaluate((s) => window.bench.jwt(s), SETTINGS.jwt);
  await page.close();
  const opsPerSec = Object.fromEntries(Object.entries(raw.ms).map(([side, ms]) => [side, raw.n / (median(ms) / 1000)]));
  return { settings: SETTINGS.jwt, roundMs: raw.ms, opsPerSec, ratio: opsPerSec.ours / opsPerSec.jwtDecode };
}

/** 5. One sample per fresh context (its own renderer, no HTTP cache), sides alternating. */
/**
 * Figure 5's third floor: a classic script that carries `wasmPath` inside it (base64, as the
 * `*.embedded.js` entries do) and only decodes, compiles and instantiates it, with no-op
 * imports like the other floors. Written at each run, so it is always the wasm measured.
 */
export function writeEmbeddedFloor(wasmPath, outfile) {
  const base64 = readFileSync(wasmPath).toString('base64');
  writeFileSync(outfile, `// Written by bench/run.mjs from ${wasmPath.split('/').slice(-2).join('/')}: see writeEmbeddedFloor.
(() => {
  const base64 = '${base64}';
  const bytes = Uint8Array.fromBase64 ? Uint8Array.fromBase64(base64) : Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  window.floorDone = (async () => {
    const module = await WebAssembly.compile(bytes);
    const imports = {};
    for (const { module: from, name } of WebAssembly.Module.imports(module)) {
      imports[from] ??= {};
      imports[from][name] = () => {};
    }
    await WebAssembly.instantiate(module, imports);
  })();
})();
`);
}

export async function coldStart(browser, url, mintToken) {
  // The preload row's integrity: the build's pin of checkout_bg.wasm, as a page copies it
  // from pkg/integrity.json.
  const integrity = (await (await fetch(`${url}/pkg/integrity.json`)).json())['checkout_bg.wasm'];
  // `floor`/`floorPinned`: a script tag that only fetches (unpinned / pinned), compiles and
  // instantiates the same wasm: what a script-tag SDK that fetches its wasm pays before its
  // own code runs. `floorEmbedded`: the same for a script that carries the wasm inside it.
  // `embedded`: ours from one classic script with the wasm inside (writeEmbeddedClassic).
  const SIDES = ['ours', 'preload', 'bare', 'floor', 'floorPinned', 'floorEmbedded', 'embedded'];
  const samples = Object.fromEntries(SIDES.map((side) => [side, []]));
  for (let i = 0; i < SETTINGS.cold.samples * SIDES.length; i += 1) {
    const side = SIDES[i % SIDES.length];
    const token = ['ours', 'preload', 'embedded'].includes(side) ? await mintToken() : null;
    const context = await browser.newContext();
    const { page } = await openPage(context, `${url}/blank.html`, () => window.cold !== undefined);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    // Requests that reached the network for the wasm, and what the console said (Chromium
    // warns when a preload is not used because its mode, credentials or integrity differ).
    let wasmRequests = 0;
    cdp.on('Network.requestWillBeSent', ({ request }) => {
      if (new URL(request.url).pathname === '/pkg/checkout_bg.wasm') wasmRequests += 1;
    });
    const consoleMessages = [];
    page.on('console', (m) => { if (m.type() !== 'log') consoleMessages.push(`${m.type()}: ${m.text()}`); });
    const nonce = `${Date.now()}-${i}`;
    const run = {
      bare: () => page.evaluate(([n]) => window.cold.bare(n), [nonce]),
      floor: () => page.evaluate(([n]) => window.cold.floor(n, null), [nonce]),
      floorPinned: () => page.evaluate(([n, p]) => window.cold.floor(n, p), [nonce, integrity]),
      floorEmbedded: () => page.evaluate(([n]) => window.cold.floor(n, null, '/vendor/floor-embedded.js'), [nonce]),
      ours: () => page.evaluate(([n, t]) => window.cold.ours(n, t, null), [nonce, token]),
      preload: () => page.evaluate(([n, t, p]) => window.cold.ours(n, t, p), [nonce, token, integrity]),
      embedded: () => page.evaluate(([n, t]) => window.cold.ours(n, t, null, '/vendor/partner-sdk-embedded.js'), [nonce, token]),
    }[side];
    const sample = await run();
    if (token) Object.assign(sample, { wasmRequests, console: consoleMessages });
    samples[side].push(sample);
    await context.close();
  }
  const of = (side, key) => median(samples[side].map((s) => s[key]));
  const oursMs = of('ours', 'ms');
  const preloadMs = of('preload', 'ms');
  const bareMs = of('bare', 'ms');
  const breakdown = (side) => ({
    scriptLoadedMedianMs: of(side, 'scriptMs'),
    jsFetchedMedianMs: of(side, 'jsFetchedMs'),
    wasmRequestedMedianMs: of(side, 'wasmRequestedMs'),
    wasmFetchedMedianMs: of(side, 'wasmFetchedMs'),
    // Samples where the wasm went over the network more than once (a preload not reused).
    samplesWithTwoWasmRequests: samples[side].filter((s) => s.wasmRequests > 1).length,
    samplesWithConsoleMessages: samples[side].filter((s) => s.console.length > 0).length,
  });
  const ours = breakdown('ours');
  return {
    settings: SETTINGS.cold,
    samples,
    oursMedianMs: oursMs,
    oursScriptLoadedMedianMs: ours.scriptLoadedMedianMs,
    oursJsFetchedMedianMs: ours.jsFetchedMedianMs,
    oursWasmRequestedMedianMs: ours.wasmRequestedMedianMs,
    oursWasmFetchedMedianMs: ours.wasmFetchedMedianMs,
    bareMedianMs: bareMs,
    bareCompileMedianMs: of('bare', 'compileMs'),
    ratio: oursMs / bareMs,
    ours,
    preloadMedianMs: preloadMs,
    preload: breakdown('preload'),
    preloadIntegrity: integrity,
    preloadRatio: preloadMs / bareMs,
    floorMedianMs: of('floor', 'ms'),
    floorRatio: of('floor', 'ms') / bareMs,
    floorPinnedMedianMs: of('floorPinned', 'ms'),
    floorPinnedRatio: of('floorPinned', 'ms') / bareMs,
    floorEmbeddedMedianMs: of('floorEmbedded', 'ms'),
    floorEmbeddedRatio: of('floorEmbedded', 'ms') / bareMs,
    embeddedMedianMs: of('embedded', 'ms'),
    embeddedRatio: of('embedded', 'ms') / bareMs,
  };
}

/** 6. Heap + wasm memory after the long run vs after the baseline run, GC forced each time. */
export async function leaks(context, url, kind) {
  const { baseline, requests, refreshes, concurrency } = SETTINGS.leak;
  const { page } = await openPage(context, `${url}/bench.html`, benchReady);
  const measure = async () => ({
    jsHeap: await heapAfterGc(page),
    wasmMemory: await page.evaluate(() => window.bench.wasmMemoryBytes()),
    snapshotBytesByType: await heapSnapshotByType(page),
  });
  await page.evaluate((k) => window.bench.leakSetup(k), kind);
  // The baseline run has no refresh, as the figure always had. LEAK_WARM_REFRESHES=N
  // adds N to it, so that the refresh path's one-time costs (its functions compiled on
  // first use) fall before the first measure instead of counting as growth.
  const warmRefreshes = Number(process.env.LEAK_WARM_REFRESHES ?? 0);
  const warm = await page.evaluate((s) => window.bench.leakRun(s), { requests: baseline, refreshes: warmRefreshes, concurrency });
  const before = await measure();
  const long = await page.evaluate((s) => window.bench.leakRun(s), { requests, refreshes, concurrency });
  const after = await measure();
  await page.close();
  const snapshotGrowth = (keep) => Object.keys(after.snapshotBytesByType).filter(keep)
    .reduce((sum, t) => sum + after.snapshotBytesByType[t] - (before.snapshotBytesByType[t] ?? 0), 0) / 1024;
  return {
    kind,
    settings: SETTINGS.leak,
    baselineRun: warm,
    longRun: long,
    before,
    after,
    growthKB: {
      jsHeap: (after.jsHeap - before.jsHeap) / 1024,
      wasmMemory: (after.wasmMemory - before.wasmMemory) / 1024,
      total: (after.jsHeap + after.wasmMemory - before.jsHeap - before.wasmMemory) / 1024,
      // From the snapshots: compiled code vs everything else V8 holds (Blink's `native` left out).
      snapshotCode: snapshotGrowth((t) => t === 'code'),
      snapshotJsObjects: snapshotGrowth((t) => !['code', 'native', 'synthetic'].includes(t)),
    },
  };
}

/**
 * 7. Callbacks and 401s per token lifetime with the page's clock off the server's by each
 * skew (the sandbox's clock is shifted, the page's is not). The clock is reset to 0 after.
 */
export async function clockSkew(context, url) {
  const { skewsS, ttl, durationMs, spacingMs } = SETTINGS.skew;
  const { page } = await openPage(context, `${url}/bench.html`, benchReady);
  const runs = [];
  try {
    for (const skewS of skewsS) {
      runs.push(await page.evaluate((s) => window.bench.clockSkew(s), { skewS, ttl, durationMs, spacingMs }));
    }
  } finally {
    await fetch(`${url}/__sandbox/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ offset_s: 0 }),
    });
    await page.close();
  }
  const zero = runs.find((r) => r.skewS === 0);
  return {
    settings: SETTINGS.skew,
    runs,
    // Goal per skew: exactly 1 callback (the proactive refresh) for the one token lifetime
    // crossed, no more 401s than at skew 0, every GET fulfilled.
    goalMet: runs.map((r) => r.callbacks === 1 && r.server401s <= zero.server401s && r.fulfilled === r.requests),
  };
}
