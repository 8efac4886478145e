// Shared by the end-to-end suites: a sandbox per test file, Chromium with a fresh
// profile, and a watcher for console errors, page errors and CSP violations.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const root = new URL('../..', import.meta.url).pathname;
export const screenshotDir = join(root, 'tests/e2e/screenshots');

/** A JWT-looking string: the pages must never show or store one. */
export const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/** The network log Chromium prints for a 401 answer (not a script error). */
export const NETWORK_401 = /Failed to load resource: the server responded with a status of 401/;

const CHROMIUM_ARGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
];

/** Starts `target/debug/sandbox --port 0 --test-controls` (building it if missing). */
export async function startSandbox(...flags) {
  const bin = join(root, 'target/debug/sandbox');
  if (!existsSync(bin)) execFileSync('cargo', ['build', '-q', '-p', 'sandbox'], { cwd: root, stdio: 'inherit' });
  // This tree's pages and pkg/ unless a test names others (a later flag wins): the
  // binary's own defaults are those of the tree it was built in, which need not be this one.
  const defaults = ['--www', join(root, 'www'), '--pkg', join(root, 'pkg')];
  const child = spawn(bin, ['--port', '0', '--test-controls', ...defaults, ...flags], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => {
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]);
      else reject(new Error(`sandbox said: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  return {
    url,
    counters: async () => (await fetch(`${url}/__sandbox/counters`)).json(),
    post: (path, body) => fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill();
        await once(child, 'exit');
      }
    },
  };
}

/**
 * Starts a sandbox (`startSandbox(...flags)`) and a browser before the file's tests, then
 * runs `setup(env)`, and closes both after the tests. Returns `{ sandbox, browser }`,
 * filled in once `before` has run. (Node 20 runs a file's `before` hooks at the same
 * time, so a file's own set-up that needs them goes in `setup`, not in a hook of its own.)
 */
export function sandboxAndBrowser({ flags = [], setup } = {}) {
  const env = { sandbox: undefined, browser: undefined };
  before(async () => {
    env.sandbox = await startSandbox(...flags);
    env.browser = await launchBrowser();
    await setup?.(env);
  });
  after(async () => {
    await env.browser?.close();
    await env.sandbox?.stop();
  });
  return env;
}

/** Debian's Chromium with a fresh, throw-away profile. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'partner-sdk-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a page that records console errors/warnings, page errors, CSP violations and HTTP errors. */
export async function watchedPage(context) {
  const page = await context.newPage();
  const seen = { errors: [], warnings: [], pageErrors: [], csp: [], http: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
    if (m.type() === 'warning') seen.warnings.push(m.text());
  });
  page.on('pageerror', (e) => seen.pageErrors.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400) seen.http.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  await page.exposeFunction('__reportCspViolation', (v) => seen.csp.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCspViolation(`${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  return { page, seen };
}

/**
 * An init script (`page.addInitScript(watchWasmMemory)`): keeps every wasm memory the page
 * instantiates in `window.memories`, and defines `window.inMemory(token)`: how many of
 * them hold the token's signature (its last segment: only a copy of the token has it).
 */
export function watchWasmMemory() {
  window.memories = [];
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const result = await original.apply(this, args);
      const instance = result.instance || result;
      for (const value of Object.values(instance.exports)) {
        if (value instanceof WebAssembly.Memory) window.memories.push(value);
      }
      return result;
    };
  }
  window.inMemory = (token) => {
    const signature = token.slice(token.lastIndexOf('.') + 1);
    const latin1 = new TextDecoder('latin1');
    return window.memories.filter((m) => latin1.decode(new Uint8Array(m.buffer)).includes(signature)).length;
  };
}

/** Saves a full-page screenshot under tests/e2e/screenshots/. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, name), fullPage: true });
}

/**
 * The demo checkout page, ready, with `window.t` = { post, mint, sleep, apiRequests,
 * arrived, clear } for page code that drives the refresh rules: `post(path, body)` sends
 * JSON, `mint()` a fresh checkout token for inv_1001 from the example backend (`mint(ttl)`:
 * one that lives `ttl` seconds, from the sandbox's controls),
 * `arrived(since, n)` waits for n API requests after `since = apiRequests()` (counted on
 * arrival, before a fault's delay: the faults they took are gone), `clear()` deletes the
 * faults. No fault is left over from an earlier test when it returns.
 *
 * `controlsViaLocalhost`: the controls and the backend are reached as `localhost` (the
 * same server), for tests that keep six attempts to `127.0.0.1` in progress: those fill
 * Chromium's six connections to that host, and the page's own requests must not queue
 * behind them.
 */
export async function interplayPage(context, url, { controlsViaLocalhost = false } = {}) {
  await fetch(`${url}/__sandbox/faults`, { method: 'DELETE' });
  const { page } = await watchedPage(context);
  await page.goto(`${url}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  await page.evaluate((viaLocalhost) => {
    const ctl = viaLocalhost ? location.origin.replace('//127.0.0.1:', '//localhost:') : '';
    const post = (path, body) => fetch(ctl + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    const mint = async (ttl) => (await (ttl
      ? await post('/__sandbox/mint', { kind: 'checkout', ttl })
      : await post('/api/checkout-token', { customerId: 'cus_demo', invoiceId: 'inv_1001' })).json()).token;
    const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
    const apiRequests = async () => (await (await fetch(`${ctl}/__sandbox/counters`)).json()).api_requests;
    const arrived = async (since, n) => {
      while ((await apiRequests()) < since + n) await sleep(20);
    };
    const clear = () => fetch(`${ctl}/__sandbox/faults`, { method: 'DELETE' });
    window.t = { post, mint, sleep, apiRequests, arrived, clear };
  }, controlsViaLocalhost);
  return page;
}
