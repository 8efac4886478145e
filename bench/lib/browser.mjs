// Debian's Chromium through playwright-core, launched as tests/e2e/helpers.mjs does
// (same flags; Playwright gives a launched browser a fresh temporary profile).
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A page at `url`, failing the run on any page error; `ready` is awaited in the page. */
export async function openPage(context, url, ready) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(m.text()); });
  await page.goto(url);
  if (ready) await page.waitForFunction(ready, null, { timeout: 30_000 });
  if (problems.length) throw new Error(`${url}: ${problems.join('; ')}`);
  return { page, problems };
}

/** JS heap in use after two forced full GCs (CDP HeapProfiler.collectGarbage). */
export async function heapAfterGc(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

/**
 * Self sizes of a heap snapshot summed by V8 node type (`code` = compiled code, `native` =
 * Blink objects, which include DevTools' own per-request records), so JS heap growth can be
 * split into compiled code and live objects. Taking a snapshot runs a full GC first.
 */
export async function heapSnapshotByType(page) {
  const cdp = await page.context().newCDPSession(page);
  const chunks = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  await cdp.detach();
  const { snapshot, nodes } = JSON.parse(chunks.join(''));
  const fields = snapshot.meta.node_fields;
  const typeNames = snapshot.meta.node_types[0];
  const typeAt = fields.indexOf('type');
  const sizeAt = fields.indexOf('self_size');
  const bytes = {};
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = typeNames[nodes[i + typeAt]];
    bytes[type] = (bytes[type] ?? 0) + nodes[i + sizeAt];
  }
  return bytes;
}
