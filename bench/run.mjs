// npm run bench, node half (scripts/bench.sh starts the sandbox and sets SANDBOX_URL):
// runs figures 1–7 side by side in one headless Chromium, prints one markdown table and
// writes bench/results.json with every raw number the table was computed from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './lib/browser.mjs';
import { clockSkew, coldStart, jwtDecode, leaks, perRequest, refreshStorm } from './lib/figures.mjs';
import { machineInfo } from './lib/machine.mjs';
import { measureSizes, writeJwtDecodeForPage } from './lib/size.mjs';
import { renderTable } from './lib/table.mjs';

const root = new URL('..', import.meta.url).pathname;
const url = process.env.SANDBOX_URL;
if (!url) throw new Error('SANDBOX_URL is not set: run `npm run bench`');

const started = Date.now();
const log = (what) => console.error(`[bench] ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s  ${what}`);

mkdirSync(join(root, 'bench/www/vendor'), { recursive: true });
await writeJwtDecodeForPage(root, join(root, 'bench/www/vendor/jwt-decode.js'));

async function mintToken() {
  const response = await fetch(`${url}/__sandbox/mint`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'checkout', invoiceId: 'inv_1001', ttl: 3600 }),
  });
  return (await response.json()).token;
}

const results = {};
const browser = await launch();
try {
  results.machine = machineInfo(root, browser.version());
  log('1 size (pages in Chromium, fresh context each)');
  results.size = await measureSizes(root, browser, url);
  const context = await browser.newContext();
  log('2 per-request overhead');
  results.perRequest = await perRequest(context, url);
  log('3 refresh storm');
  results.storm = await refreshStorm(context, url);
  log('4 JWT validate + decode');
  results.jwt = await jwtDecode(context, url);
  log('6 leaks (ours, then plain fetch)');
  results.leaks = { ours: await leaks(context, url, 'ours'), plain: await leaks(context, url, 'plain') };
  log('7 callbacks per token lifetime at five page-clock skews');
  results.skew = await clockSkew(context, url);
  await context.close();
  log('5 cold start');
  results.cold = await coldStart(browser, url, mintToken);
} finally {
  await browser.close();
}

results.machine.seconds = Math.round((Date.now() - started) / 1000);
const table = renderTable(results);
results.table = table;
writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
const m = results.machine;
console.log(`partner-sdk bench, ${m.date}, ${m.nproc} × ${m.cpu}, node ${m.node}, Chromium ${m.chromium}, \`${m.command}\` (${m.seconds} s)\n`);
console.log(table);
log('wrote bench/results.json');
