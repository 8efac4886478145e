// Issue 14, the inventory a PCI DSS 6.4.3 reviewer asks for, checked against what really
// happens: during the checkout flow (www/index.html, classic script), SafeSDK through the
// classic script, and the Gatekeeper flow (www/gatekeeper.html, ES modules), it records
// every network request (with Chromium's initiator stack), every storage write (Storage
// setItem/removeItem/clear, document.cookie, indexedDB.open, caches.open, plus a before/after
// diff of both storages), every timer, every console call and every new global, and fails
// if one that belongs to the SDK is missing from the inventory table of
// docs/checkout-pages.md (which has no console row: the SDK must log nothing).
//
// What belongs to the SDK: every file under /pkg/; every request, storage write or timer
// whose JavaScript stack runs through /pkg/ or wasm; every storage key or global that is
// new and not in PAGE_OWN below (the demo pages' own names, listed here on purpose).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { JWT, launchBrowser, root, startSandbox, watchedPage } from './helpers.mjs';
import { cleanUp, snapshotPkg } from './trust-kit.mjs';

/** What the demo pages themselves create (not the SDK's, so not in the inventory). */
const PAGE_OWN = {
  globals: ['DemoLog', 'CheckoutDemo'],
  // The test's own hooks.
  hooks: ['__reportCspViolation', '__inventory'],
};

/** The rows of the inventory table: `| kind | \`what\` | …`. */
export function inventoryRows(markdown) {
  const start = markdown.indexOf('<!-- inventory:start');
  const end = markdown.indexOf('<!-- inventory:end -->');
  assert.ok(start >= 0 && end > start, 'docs/checkout-pages.md has <!-- inventory:start … --> … <!-- inventory:end -->');
  const rows = markdown
    .slice(start, end)
    .split('\n')
    .filter((line) => /^\|\s*(file|request|storage|global|timer|console)\s*\|/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((c) => c.trim());
      const what = /^`([^`]+)`$/.exec(cells[1]);
      assert.ok(what, `inventory row's second cell is one \`code\` span: ${line}`);
      return { kind: cells[0], what: what[1], line };
    });
  assert.ok(rows.length >= 8, 'the inventory table has rows');
  return rows;
}

/** A row's `what` as a RegExp: `{pkg}` and `{baseUrl}`/`{origin}` are this run's, other `{…}` one segment. */
function pattern(what, { pkg, origin }) {
  const escape = (s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const parts = what.split(/(\{[A-Za-z]+\})/).map((part) => {
    if (part === '{pkg}') return escape(pkg);
    if (part === '{baseUrl}' || part === '{origin}') return escape(origin);
    if (part === '{path}') return '/[^?#]*';
    if (part === '{METHOD}') return '(GET|POST|PUT|PATCH|DELETE)';
    if (/^\{[A-Za-z]+\}$/.test(part)) return '[^/?#]+';
    return escape(part);
  });
  return new RegExp(`^${parts.join('')}$`);
}

// Installed before any page script: records storage writes, timers, and the globals at start.
function recorder() {
  const log = [];
  // The frame that called the wrapped API: [0] "Error", [1] caller(), [2] note(), [3] the wrapper.
  const caller = () => (new Error().stack || '').split('\n')[4] || '';
  const note = (kind, what) => log.push({ kind, what, sdk: /\/pkg\/|wasm:\/\/|wasm-function/.test(caller()) });
  window.__inventory = { log, globalsAtStart: Object.getOwnPropertyNames(window) };
  const snapshot = () => [localStorage, sessionStorage].map((s) => Object.keys({ ...s }));
  window.__inventory.storageAtStart = snapshot();
  window.__inventory.snapshot = snapshot;
  // Storage.prototype is shared by both storages: tell them apart by `this`.
  const proto = Storage.prototype;
  const which = (s) => (s === localStorage ? 'localStorage' : 'sessionStorage');
  const { setItem, removeItem, clear } = proto;
  proto.setItem = function (key, value) { note('storage', `${which(this)} ${key}`); return setItem.call(this, key, value); };
  proto.removeItem = function (key) { note('storage', `${which(this)} ${key}`); return removeItem.call(this, key); };
  proto.clear = function () { note('storage', `${which(this)} clear()`); return clear.call(this); };
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() { return cookie.get.call(this); },
    set(v) { note('storage', `cookie ${String(v).split('=')[0]}`); cookie.set.call(this, v); },
  });
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (dbName, ...rest) { note('storage', `indexedDB ${dbName}`); return open.call(this, dbName, ...rest); };
  if (window.CacheStorage) {
    const cacheOpen = CacheStorage.prototype.open;
    CacheStorage.prototype.open = function (cacheName) { note('storage', `CacheStorage ${cacheName}`); return cacheOpen.call(this, cacheName); };
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table']) {
    const original = console[method];
    console[method] = function (...args) { note('console', `console.${method}`); return original.apply(this, args); };
  }
  for (const timer of ['setTimeout', 'setInterval', 'requestAnimationFrame', 'requestIdleCallback']) {
    const original = window[timer];
    if (typeof original !== 'function') continue;
    window[timer] = function (...args) { note('timer', timer); return original.apply(this, args); };
  }
}

let pkg;
let sandbox;
let browser;
let doc;
const observed = []; // { flow, kind, what }
before(async () => {
  pkg = await snapshotPkg();
  sandbox = await startSandbox('--pkg', pkg.dir);
  browser = await launchBrowser();
  doc = readFileSync(join(root, 'docs/checkout-pages.md'), 'utf8');
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
  cleanUp();
});

/** Opens `path` with the recorder; `run(page)` drives the flow; returns what the SDK did. */
async function record(flow, path, run) {
  const { page, seen } = await watchedPage(browser.context);
  await page.addInitScript(recorder);
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = [];
  cdp.on('Network.requestWillBeSent', ({ request, initiator }) => {
    const frames = [];
    for (let stack = initiator.stack; stack; stack = stack.parent) frames.push(...stack.callFrames.map((f) => f.url));
    const direct = (initiator.stack ? initiator.stack.callFrames : []).map((f) => f.url);
    requests.push({ method: request.method, url: request.url.split(/[?#]/)[0], full: request.url, direct, frames, type: initiator.type });
  });
  await page.goto(sandbox.url + path);
  await run(page);
  await page.waitForTimeout(300);
  const state = await page.evaluate(() => ({
    log: window.__inventory.log,
    globals: Object.getOwnPropertyNames(window).filter((n) => !window.__inventory.globalsAtStart.includes(n)),
    storageAtStart: window.__inventory.storageAtStart,
    storageAtEnd: window.__inventory.snapshot(),
  }));
  await cdp.detach();
  await page.close();
  assert.deepEqual(seen.pageErrors, [], `${flow}: page errors`);
  // The token travels in the Authorization header only: no URL the page loaded carries one.
  assert.deepEqual(requests.filter((r) => JWT.test(r.full)).map((r) => r.full), [], `${flow}: a token in a URL`);

  const mine = [];
  const origin = sandbox.url;
  for (const r of requests) {
    // The innermost frame decides: the SDK's own fetch runs in /pkg/ glue; a fetch in the
    // page's token callback is the page's, even when the SDK called that callback.
    const sdkStack = /\/pkg\/|^wasm:/.test(r.direct[0] || '');
    if (r.url.startsWith(`${origin}/pkg/`)) mine.push({ kind: 'file', what: `${r.method} ${r.url}` });
    else if (sdkStack) mine.push({ kind: 'request', what: `${r.method} ${r.url}` });
    else if (!r.url.startsWith(origin) && !r.url.startsWith('data:')) mine.push({ kind: 'request', what: `${r.method} ${r.url}`, note: 'another origin' });
  }
  for (const entry of state.log) if (entry.sdk) mine.push({ kind: entry.kind, what: entry.what });
  ['localStorage', 'sessionStorage'].forEach((name, i) => {
    for (const key of state.storageAtEnd[i]) {
      if (!state.storageAtStart[i].includes(key)) mine.push({ kind: 'storage', what: `${name} ${key}` });
    }
  });
  for (const name of state.globals) {
    if (!PAGE_OWN.globals.includes(name) && !PAGE_OWN.hooks.includes(name)) mine.push({ kind: 'global', what: name });
  }
  for (const item of mine) observed.push({ flow, ...item });
  if (process.env.INVENTORY_DUMP) console.log(flow, JSON.stringify({ requests, state, mine }, null, 1));
  return mine;
}

function missing(items) {
  const rows = inventoryRows(doc);
  const vars = { pkg: `${sandbox.url}/pkg`, origin: sandbox.url };
  const unique = [...new Map(items.map((i) => [`${i.kind} ${i.what}`, i])).values()];
  return unique.filter((item) => !rows.some((row) => row.kind === item.kind && pattern(row.what, vars).test(item.what)));
}

const explain = (list) => list.map((i) => `  ${i.kind}: ${i.what} (${i.flow})`).join('\n');

test('checkout flow on the classic page (load, revoke → refresh, pay): every request, storage write, timer and global of the SDK is in docs/checkout-pages.md', async () => {
  const mine = await record('checkout (classic)', '/', async (page) => {
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await page.click('#revoke');
    await page.waitForSelector('#invoice[data-loads="2"]', { timeout: 15_000 });
    await page.click('#pay');
    await page.waitForSelector('#payment-result[data-status="succeeded"]', { timeout: 15_000 });
  });
  const kinds = new Set(mine.map((i) => i.kind));
  assert.ok(kinds.has('request') && kinds.has('global'), `the recorder saw the SDK: ${JSON.stringify(mine)}`);
  assert.ok(mine.some((i) => i.what === 'PartnerSDK'), 'the classic script adds PartnerSDK');
  assert.ok(mine.some((i) => /\/v1\/invoices\/inv_1001\/payments$/.test(i.what)), 'the payment request is attributed to the SDK');
  assert.ok(!mine.some((i) => i.kind === 'storage'), 'AlternativeClient writes no storage');
  const absent = missing(mine.map((i) => ({ flow: 'checkout', ...i })));
  assert.deepEqual(absent, [], `missing from the inventory table of docs/checkout-pages.md:\n${explain(absent)}`);
});

test('SafeSDK through the classic script (PartnerSDK.ready, initialize, check, periodic checks): everything it does is in the inventory', async () => {
  const mine = await record('SafeSDK (classic)', '/', async (page) => {
    await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    await page.evaluate(async () => {
      const token = async () => (await fetch('/api/gatekeeper-token')).text();
      await window.PartnerSDK.ready;
      const sdk = new window.PartnerSDK.SafeSDK({
        apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0',
        baseUrl: location.origin, onAccessTokenExpired: token,
      });
      await sdk.initialize(await token());
      await sdk.check();
      await new Promise((done) => {
        let n = 0;
        sdk.startPeriodicCheck(1000, () => { n += 1; if (n === 2) { sdk.stopPeriodicCheck(); done(); } });
      });
    });
  });
  assert.ok(mine.some((i) => /gatekeeper\.classic\.js$/.test(i.what)), 'SafeSDK loads gatekeeper.classic.js');
  assert.ok(mine.some((i) => i.kind === 'storage' && /^localStorage partner-sdk:device:/.test(i.what)), 'and keeps the device id');
  assert.ok(mine.some((i) => i.what === 'setInterval'), 'the periodic check is a setInterval');
  const absent = missing(mine.map((i) => ({ flow: 'SafeSDK classic', ...i })));
  assert.deepEqual(absent, [], `missing from the inventory table of docs/checkout-pages.md:\n${explain(absent)}`);
});

test('Gatekeeper flow on www/gatekeeper.html (ES modules: register, checks, revoke → refresh): everything the SDK does is in the inventory', async () => {
  const mine = await record('Gatekeeper (ESM)', '/gatekeeper.html?interval=1000', async (page) => {
    await page.waitForFunction(() => Number(document.getElementById('check-count').textContent) >= 2, null, { timeout: 15_000 });
    await page.click('#revoke');
    await page.waitForSelector('[data-event="refreshed"]', { timeout: 15_000 });
    const count = Number(await page.textContent('#check-count'));
    await page.waitForFunction((n) => Number(document.getElementById('check-count').textContent) > n, count, { timeout: 15_000 });
  });
  assert.ok(mine.some((i) => /\/pkg\/gatekeeper\.js$/.test(i.what)), 'the page imports /pkg/gatekeeper.js');
  assert.ok(!mine.some((i) => /_bg\.wasm$/.test(i.what) && !/gatekeeper_bg/.test(i.what)), 'and no other class\'s wasm');
  assert.ok(!mine.some((i) => i.kind === 'global'), `the ES modules add no global: ${JSON.stringify(mine.filter((i) => i.kind === 'global'))}`);
  const absent = missing(mine.map((i) => ({ flow: 'Gatekeeper', ...i })));
  assert.deepEqual(absent, [], `missing from the inventory table of docs/checkout-pages.md:\n${explain(absent)}`);
});

test('nothing the SDK did went to an origin other than the page/API origin', () => {
  assert.ok(observed.length > 10, 'the flows above recorded what the SDK did');
  const foreign = observed.filter((i) => i.note === 'another origin');
  assert.deepEqual(foreign, []);
});

test('the inventory check is not vacuous: things the table does not list are reported missing', () => {
  const o = sandbox.url;
  const invented = [
    { kind: 'request', what: `GET https://collector.example/${'t'}` },
    { kind: 'request', what: `POST ${o}/v1/invoices/inv_1001/payments`.replace(o, 'https://other.example') },
    { kind: 'file', what: `GET ${o}/pkg/telemetry.js` },
    { kind: 'storage', what: 'localStorage partner-sdk:token' },
    { kind: 'storage', what: 'cookie session' },
    { kind: 'global', what: 'PartnerSDKDebug' },
    { kind: 'timer', what: 'requestAnimationFrame' },
    { kind: 'console', what: 'console.log' },
  ];
  assert.deepEqual(missing(invented.map((i) => ({ flow: 'invented', ...i }))).length, invented.length);
  const listed = [
    { kind: 'request', what: `POST ${o}/v1/invoices/inv_1001/payments` },
    { kind: 'storage', what: `localStorage partner-sdk:device:${o}:demo-app` },
  ];
  assert.deepEqual(missing(listed), []);
});
