// Figure 1: gzip -9 (node zlib, level 9) of what a page downloads, ours and the peers'.
//
// Ours is measured as a page downloads it: each page under bench/www/footprint/ is loaded
// in a fresh browser context (empty HTTP cache) and makes one real call; every response
// the page fetched is recorded (page.on('response') → response.body()), and the ones under
// /pkg/ (the SDK's own files) are each gzipped on their own and summed. No file list.
// The peers are third-party files, measured from node_modules as published or bundled.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const gzip9 = (bytes) => gzipSync(bytes, { level: 9 }).length;

/** The pages of figure 1; `goal` in bytes (gzip -9 total of the page's /pkg/ files). */
export const PAGES = [
  {
    id: 'classic',
    page: 'footprint/classic.html',
    what: 'classic `<script src=partner-sdk.js>` checkout page: `AlternativeClient.create` + 1 `get`',
    goal: 17_027,
    goalNote: 'auth0-spa-js 2.4.1 production build',
  },
  {
    id: 'checkout',
    page: 'footprint/checkout.html',
    what: 'ESM checkout page: `AlternativeClient` from `/pkg/checkout.js`, `create` + 1 `get`',
    goal: 18_432,
    goalNote: '18 KB',
  },
  {
    id: 'gatekeeper',
    page: 'footprint/gatekeeper.html',
    what: 'ESM Gatekeeper page: `SafeSDK` from `/pkg/gatekeeper.js`, `initialize` + 1 `check`',
    goal: 20_480,
    goalNote: '20 KB',
  },
  {
    id: 'enrollment',
    page: 'footprint/enrollment.html',
    what: 'ESM card-enrollment page: `CardEnrollment` from `/pkg/enrollment.js`, `openForm` + 1 enrolled card',
    goal: null,
    goalNote: null,
  },
  {
    id: 'index',
    page: 'footprint/index.html',
    what: 'ESM all-classes page: `AlternativeClient` from `/pkg/index.js`, `create` + 1 `get`',
    goal: null,
    goalNote: null,
  },
];

/**
 * Loads `spec.page` from `baseUrl` in a fresh context of `browser` and returns every file
 * under /pkg/ it fetched (raw and gzip -9 bytes each), their totals, and the other requests.
 * Waits for the page's call to finish and then for the network to stay quiet, so a file
 * loaded late (after the call) is counted too.
 */
export async function pageFootprint(browser, baseUrl, spec, { root } = {}) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    let inFlight = 0;
    let lastActivity = Date.now();
    const settle = () => { inFlight -= 1; lastActivity = Date.now(); };
    page.on('request', () => { inFlight += 1; lastActivity = Date.now(); });
    page.on('requestfinished', settle);
    page.on('requestfailed', (request) => { settle(); problems.push(`${request.url()} failed: ${request.failure()?.errorText}`); });
    const responses = [];
    page.on('response', (response) => {
      responses.push((async () => {
        const url = new URL(response.url());
        let body = null;
        try {
          body = await response.body();
        } catch {
          // A redirect or a body the browser dropped: recorded without bytes.
        }
        return { url: url.href, path: url.pathname + url.search, pathname: url.pathname, status: response.status(), body };
      })());
    });
    await page.goto(new URL(spec.page, `${baseUrl}/`).href);
    await page.waitForFunction(() => window.footprint !== undefined, null, { timeout: 30_000 });
    const outcome = await page.evaluate(() => window.footprint);
    if (!outcome.ok) throw new Error(`${spec.page}: the call failed: ${outcome.error}`);
    // The network quiet for 1 s (nothing in flight): anything the SDK loads late is in.
    const deadline = Date.now() + 15_000;
    while ((inFlight > 0 || Date.now() - lastActivity < 1000) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const all = await Promise.all(responses);
    if (problems.length) throw new Error(`${spec.page}: ${problems.join('; ')}`);
    const files = all.filter((r) => r.pathname.startsWith('/pkg/')).map((r) => {
      if (r.status !== 200 || !r.body) throw new Error(`${spec.page}: ${r.path} answered ${r.status} without a body`);
      const file = { path: r.path, status: r.status, raw: r.body.length, gzip: gzip9(r.body) };
      // Sanity: what the page received is the file in pkg/ (no stale or transformed copy).
      const onDisk = root && join(root, r.pathname);
      if (onDisk && existsSync(onDisk)) file.sameAsPkg = readFileSync(onDisk).equals(r.body);
      return file;
    });
    const total = files.reduce((acc, f) => ({ raw: acc.raw + f.raw, gzip: acc.gzip + f.gzip }), { raw: 0, gzip: 0 });
    return {
      ...spec,
      url: new URL(spec.page, `${baseUrl}/`).pathname,
      outcome,
      files,
      total,
      withinGoal: spec.goal === null ? null : total.gzip <= spec.goal,
      otherRequests: all.filter((r) => !r.pathname.startsWith('/pkg/')).map((r) => `${r.status} ${r.path}`),
    };
  } finally {
    await context.close();
  }
}

/** Every page of PAGES, one fresh context each. */
export async function measurePages(browser, baseUrl, root) {
  const pages = [];
  for (const spec of PAGES) pages.push(await pageFootprint(browser, baseUrl, spec, { root }));
  return pages;
}

/** An esbuild --minify bundle of `entry` (ESM source resolved from the repo), as one file. */
async function bundle(root, entry) {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  return { raw: bytes.length, gzip: gzip9(bytes) };
}

function file(path) {
  const bytes = readFileSync(path);
  return { raw: bytes.length, gzip: gzip9(bytes) };
}

function version(root, name) {
  return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
}

/** The peers' sizes, as they ship (third-party files from node_modules). */
export async function measurePeers(root) {
  const nm = (name) => `${name}@${version(root, name)}`;
  return [
    {
      name: nm('@auth0/auth0-spa-js'),
      how: 'published dist/auth0-spa-js.production.js',
      ...file(join(root, 'node_modules/@auth0/auth0-spa-js/dist/auth0-spa-js.production.js')),
    },
    {
      name: nm('@supabase/auth-js'),
      how: 'esbuild --minify of `export { GoTrueClient }`',
      ...(await bundle(root, "export { GoTrueClient } from '@supabase/auth-js';")),
    },
    {
      name: `${nm('axios')} + ${nm('axios-auth-refresh')}`,
      how: 'esbuild --minify of both default exports',
      ...(await bundle(root, "export { default as axios } from 'axios';\nexport { default as createAuthRefreshInterceptor } from 'axios-auth-refresh';")),
    },
    {
      name: nm('jwt-decode'),
      how: 'esbuild --minify of `export { jwtDecode }` (ships unminified)',
      ...(await bundle(root, "export { jwtDecode } from 'jwt-decode';")),
    },
    {
      name: nm('oauth4webapi'),
      how: 'esbuild --minify of `export *` (ships unminified)',
      ...(await bundle(root, "export * from 'oauth4webapi';")),
    },
  ];
}

/** Figure 1: the pages' footprints (through `browser` against the sandbox at `baseUrl`) and the peers. */
export async function measureSizes(root, browser, baseUrl) {
  return { pages: await measurePages(browser, baseUrl, root), peers: await measurePeers(root) };
}

/** Plain-text report of page footprints (npm run size). */
export function formatPages(pages) {
  const n = (v) => v.toLocaleString('en-US');
  const lines = [];
  for (const p of pages) {
    const goal = p.goal === null ? '' : `   goal ≤ ${n(p.goal)} B (${p.goalNote}): ${p.withinGoal ? 'met' : `over by ${n(p.total.gzip - p.goal)} B`}`;
    lines.push(`${p.what.replace(/`/g, '')}`);
    lines.push(`  page ${p.url}, call → ${p.outcome.result}`);
    for (const f of p.files) {
      lines.push(`    ${f.path.padEnd(34)}${n(f.raw).padStart(10)} raw ${n(f.gzip).padStart(9)} B gzip -9${f.sameAsPkg === false ? '  (differs from pkg/ on disk!)' : ''}`);
    }
    lines.push(`  ${'total'.padEnd(36)}${n(p.total.raw).padStart(10)} raw ${n(p.total.gzip).padStart(9)} B gzip -9${goal}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The jwt-decode the bench page imports: the package's own ESM build, bundled for the browser. */
export async function writeJwtDecodeForPage(root, outfile) {
  await build({
    stdin: { contents: "export { jwtDecode } from 'jwt-decode';", resolveDir: root, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    outfile,
    logLevel: 'error',
  });
}

/**
 * Figure 5's embedded row: the checkout entry with its wasm inside (pkg/checkout.embedded.js
 * and errors.js) bundled into one classic script that sets `PartnerSDK.AlternativeClient`.
 * Not a shipped file: it measures what carrying the wasm in partner-sdk.js would change.
 * Returns the script's gzip -9 size.
 */
export async function writeEmbeddedClassic(root, outfile) {
  await build({
    stdin: {
      contents: "import { AlternativeClient } from './pkg/checkout.embedded.js'; globalThis.PartnerSDK = { AlternativeClient };",
      resolveDir: root,
      loader: 'js',
    },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    outfile,
    logLevel: 'error',
  });
  return gzip9(readFileSync(outfile));
}
