// Shared by the end-to-end suites: a sandbox per test file, Chromium with a fresh
// profile, and a watcher for console errors, page errors and CSP violations.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
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

/** Saves a full-page screenshot under tests/e2e/screenshots/. */
export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, name), fullPage: true });
}
