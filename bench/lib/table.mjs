// The one markdown table `npm run bench` prints (and bench/README.md shows).
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;
const x = (ratio) => `${ratio.toFixed(2)}×`;
const ops = (value) => `${Math.round(value).toLocaleString('en-US')} ops/s`;

const bytes = (n) => `${n.toLocaleString('en-US')} B`;
const fileName = (path) => path.replace(/^\/pkg\//, '');

function sizeRows({ pages, peers }) {
  const classic = pages.find((p) => p.id === 'classic');
  const total = classic.total.gzip;
  return [
    ...pages.map((p) => [
      '1',
      `size: ${p.what}`,
      `${bytes(p.total.gzip)} (${kb(p.total.gzip)})`,
      p.goal === null ? '' : `goal ≤ ${bytes(p.goal)} (${p.goalNote})`,
      p.goal === null ? '' : x(p.total.gzip / p.goal),
      `${p.files.map((f) => `${fileName(f.path)} ${bytes(f.gzip)}`).join(' + ')}: every /pkg/ response of the page in Chromium, each gzipped`,
    ]),
    ...peers.map((p) => ['1', `size vs ${p.name}`, kb(total), kb(p.gzip), x(total / p.gzip), `ours = classic checkout page; peer: ${p.how}`]),
  ];
}

const signed = (n) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');
const skewName = (s) => (s === 0 ? '0' : Math.abs(s) % 3600 === 0 ? `${signed(s / 3600)} h` : `${signed(s / 60)} min`);

function skewRows(skew) {
  const zero = skew.runs.find((run) => run.skewS === 0);
  return skew.runs.map((run, i) => {
    const errors = Object.entries(run.errors).map(([k, v]) => `${k} ${v}`).join(', ');
    return [
      '7',
      `callbacks per token lifetime, page clock ${skewName(run.skewS)} vs server`,
      `${run.callbacks} callback${run.callbacks === 1 ? '' : 's'}, ${run.server401s} × 401`,
      `goal 1 callback, ≤ ${zero.server401s} × 401 (skew 0)`,
      skew.goalMet[i] ? 'met' : 'missed',
      `sandbox clock offset_s ${run.serverOffsetS}; one ${run.ttl}-s checkout token (due after ${run.ttl - 30} s), ${run.requests} sequential GETs over ${Math.round(run.ms / 1000)} s, fulfilled ${run.fulfilled}/${run.requests}${errors ? ` (${errors})` : ''}, ${run.serverRequests} requests at server`,
    ];
  });
}

function stormRows(s) {
  const storm = s.stormRuns;
  const callbacks = storm.map((run) => run.callbacks).join('/');
  const ok = storm.map((run) => run.fulfilled).join('/');
  const sent = storm.map((run) => run.serverRequests).join('/');
  const plainSent = s.plainStormRuns.map((run) => run.serverRequests).join('/');
  const plainCallbacks = s.plainStormRuns.map((run) => run.callbacks).join('/');
  const plainOk = s.plainStormRuns.map((run) => run.fulfilled).join('/');
  const latency = s.settings.delayMs > 0
    ? `; server latency ${s.settings.delayMs} ms on every API request, both sides (sandbox faults delay_ms)`
    : '; no server latency';
  return [
    ['3', `refresh storm: ${s.settings.n} concurrent GETs, revoked token`, ms(s.stormMedianMs), ms(s.singleMedianMs),
      x(s.ratio),
      `baseline: 1 GET needing 1 refresh; callbacks ${callbacks}, fulfilled ${ok}, requests at server ${sent} (per run, ${s.settings.runs} runs)${latency}`],
    ['3', 'refresh storm vs plain fetch + hand-written single-flight refresh', ms(s.stormMedianMs), ms(s.plainStormMedianMs),
      x(s.ratioToPlain),
      `same storm, interleaved; requests at server: ours ${sent}, plain ${plainSent} (per run); plain: callbacks ${plainCallbacks}, fulfilled ${plainOk}; goal ≤ 0.60×${latency}`],
  ];
}

function leakRows(leaks) {
  const leak = leaks.ours.growthKB;
  const plainLeak = leaks.plain.growthKB;
  return [['6', 'leak: growth after 10,000 req + 100 refreshes vs after 100 req', `${leak.total.toFixed(0)} KB`, `${plainLeak.total.toFixed(0)} KB`, '',
    `JS heap (CDP getHeapUsage) + wasm memory, GC forced; ours: heap ${leak.jsHeap.toFixed(0)} KB (snapshot: compiled code ${leak.snapshotCode.toFixed(0)} KB, JS objects ${leak.snapshotJsObjects.toFixed(0)} KB) + wasm ${leak.wasmMemory.toFixed(0)} KB; baseline = plain fetch + hand-written refresh (code ${plainLeak.snapshotCode.toFixed(0)} KB, objects ${plainLeak.snapshotJsObjects.toFixed(0)} KB)`]];
}

function coldRows(cold) {
  const rows = [['5', 'cold start: script tag → create() resolved', ms(cold.oursMedianMs), ms(cold.bareMedianMs), x(cold.ratio),
    `median of ${cold.settings.samples} fresh contexts each, cache off; baseline = compileStreaming + instantiate of the same wasm, no-op imports`]];
  if (cold.preload) {
    const p = cold.preload;
    const t = (v) => v.toFixed(1);
    rows.push(['5', 'cold start, page preloads the wasm (`<link rel="preload" as="fetch" crossorigin integrity>` inserted with the script tag)',
      ms(cold.preloadMedianMs), ms(cold.bareMedianMs), x(cold.preloadRatio),
      `same samples' baseline, sides interleaved; medians: wasm requested ${t(p.wasmRequestedMedianMs)} ms, fetched ${t(p.wasmFetchedMedianMs)} ms, script loaded ${t(p.scriptLoadedMedianMs)} ms (without preload: ${t(cold.ours.wasmRequestedMedianMs)}, ${t(cold.ours.wasmFetchedMedianMs)}, ${t(cold.ours.scriptLoadedMedianMs)}); wasm fetched twice (preload not reused) in ${p.samplesWithTwoWasmRequests}/${cold.settings.samples} samples`]);
  }
  if (cold.embeddedMedianMs !== undefined) {
    rows.push(['5', 'cold start, not shipped: the checkout entry with its wasm inside one classic script (base64)', ms(cold.embeddedMedianMs), ms(cold.bareMedianMs), x(cold.embeddedRatio),
      `same samples' baseline, sides interleaved; bench/www/vendor/partner-sdk-embedded.js, bundled by run.mjs from pkg/checkout.embedded.js: one download of ${cold.embeddedBytes.toLocaleString('en-US')} B gzipped instead of the classic page's two files`]);
  }
  if (cold.floorMedianMs !== undefined) {
    const fetched = "same samples' baseline, sides interleaved; bench/www/floor.js: none of the SDK's code runs, so no script-tag SDK that fetches its wasm as a second file can start faster than this";
    for (const [label, msValue, ratio, note] of [
      ['floor of a script tag that fetches its wasm: a script that only fetches, compiles and instantiates the same wasm', cold.floorMedianMs, cold.floorRatio, fetched],
      ['the same floor, the wasm fetched with its `integrity` pin', cold.floorPinnedMedianMs, cold.floorPinnedRatio, fetched],
      ['floor of a script tag that carries its wasm (base64 inside the script): decode, compile, instantiate', cold.floorEmbeddedMedianMs, cold.floorEmbeddedRatio,
        "same samples' baseline, sides interleaved; bench/www/vendor/floor-embedded.js, written by run.mjs: one download instead of two (the script's own `integrity` would pin both), none of the SDK's code runs"],
    ]) {
      if (msValue !== undefined) rows.push(['5', label, ms(msValue), ms(cold.bareMedianMs), x(ratio), note]);
    }
  }
  return rows;
}

export function renderTable(r) {
  // A figure left out (BENCH_ONLY) has no rows.
  const rows = [
    r.size ? sizeRows(r.size) : [],
    r.perRequest ? [['2', 'per-request: client.get vs fetch + json', ms(r.perRequest.oursMedianMs), ms(r.perRequest.plainMedianMs),
      x(r.perRequest.medianBlockRatio),
      `median per request, ${r.perRequest.settings.blocks}×${r.perRequest.settings.perBlock} sequential each, ratio = median of block ratios`]] : [],
    r.storm ? stormRows(r.storm) : [],
    r.jwt ? [['4', 'JWT validate + decode (10,000 tokens)', ops(r.jwt.opsPerSec.ours), ops(r.jwt.opsPerSec.jwtDecode), x(r.jwt.ratio),
      `ours = setAccessToken(t) + client.claims (no standalone export); jwt-decode = jwtDecode(t) (payload only; with header too: ${ops(r.jwt.opsPerSec.jwtDecodeHeaderToo)})`]] : [],
    r.cold ? coldRows(r.cold) : [],
    r.leaks ? leakRows(r.leaks) : [],
    r.skew ? skewRows(r.skew) : [],
  ].flat();
  const header = ['#', 'figure', 'ours', 'baseline / peer', 'ratio ours/baseline', 'how'];
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
