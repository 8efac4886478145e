// Where the per-request time goes: a Chromium CPU profile (CDP Profiler, 100 µs sampling)
// of 500 sequential client.get and 500 plain fetch + json (figure 2's loop), with each
// sample's self time charged to "ours" or "plain" by walking up to the first page frame.
// Run: bash scripts/bench.sh bench/profile-cpu.mjs   (writes bench/tmp/overhead.cpuprofile)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage } from './lib/browser.mjs';

const root = new URL('..', import.meta.url).pathname;
const url = process.env.SANDBOX_URL;
const browser = await launch();
try {
  const context = await browser.newContext();
  const { page } = await openPage(context, `${url}/bench.html`, () => window.bench !== undefined);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  const run = await page.evaluate(() => window.bench.overhead({ blocks: 10, perBlock: 50, warmup: 20 }));
  const { profile } = await cdp.send('Profiler.stop');
  mkdirSync(join(root, 'bench/tmp'), { recursive: true });
  writeFileSync(join(root, 'bench/tmp/overhead.cpuprofile'), JSON.stringify(profile));

  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const side = (node) => {
    for (let n = node; n; n = parent.get(n.id)) {
      if (n.callFrame.url.includes('/pkg/')) return 'ours';
      if (['plainGet', 'checkInvoice'].includes(n.callFrame.functionName)) return 'plain';
    }
    return 'idle / browser / harness';
  };
  const bySide = {};
  const byFrame = {};
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    const s = side(node);
    const f = node.callFrame;
    bySide[s] = (bySide[s] ?? 0) + us;
    const key = `${s}  ${f.functionName || '(anonymous)'}  ${f.url.replace(url, '') || '(native)'}:${f.lineNumber + 1}`;
    byFrame[key] = (byFrame[key] ?? 0) + us;
  });
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  console.log(`wall: ours ${sum(run.times.ours).toFixed(0)} ms, plain ${sum(run.times.plain).toFixed(0)} ms for ${run.times.ours.length} requests each`);
  console.log('main-thread self time by side (ms):', Object.fromEntries(Object.entries(bySide).map(([k, v]) => [k, Math.round(v / 1000)])));
  for (const [key, us] of Object.entries(byFrame).filter(([k]) => /^(ours|plain)/.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 30)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`);
  }
} finally {
  await browser.close();
}
