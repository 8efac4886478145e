// The npm package as a user gets it: `npm pack`, a fresh Vite 7 app in a temp dir that
// installs the tarball, `vite build`, served from another origin than the sandbox.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, posix } from 'node:path';
import { after, before, test } from 'node:test';
import { root, sandboxAndBrowser, screenshot, watchedPage } from './helpers.mjs';

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const env = sandboxAndBrowser();
let app;
before(async () => {
  app = mkdtempSync(join(tmpdir(), 'partner-sdk-vite-'));
});
after(async () => {
  if (app) rmSync(app, { recursive: true, force: true });
});

test('npm pack holds pkg/, package.json and docs only', () => {
  const [{ files }] = JSON.parse(npm(['pack', '--dry-run', '--json'], root));
  const paths = files.map((f) => f.path);
  for (const path of paths) assert.match(path, /^(pkg\/[^/]|docs\/[^/]+\.md$|sandbox\/README\.md$|bench\/README\.md$|package\.json$|README\.md$|SECURITY\.md$|CHANGELOG\.md$|LICENSE$)/, path);
  // The reference the README and the .d.ts point to ships with the package.
  for (const doc of ['README.md', 'LICENSE', 'SECURITY.md', 'CHANGELOG.md', 'docs/api.md', 'docs/checkout-pages.md', 'docs/enrollment.md']) {
    assert.ok(paths.includes(doc), doc);
  }
  // Every relative link in a shipped document leads to a shipped file.
  const dead = [];
  for (const doc of paths.filter((p) => p.endsWith('.md'))) {
    const text = readFileSync(join(root, doc), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const file = posix.normalize(posix.join(posix.dirname(doc), target.split('#')[0]));
      if (!paths.includes(file)) dead.push(`${doc}: ${target}`);
    }
  }
  assert.deepEqual(dead, [], 'links in the packed docs that lead outside the package');
  const need = [
    'index.js', 'checkout.js', 'gatekeeper.js', 'gatekeeper.classic.js', 'errors.js', 'partner-sdk.js',
    'checkout_bg.wasm', 'gatekeeper_bg.wasm', 'index.d.ts', 'checkout.d.ts', 'gatekeeper.d.ts', 'global.d.ts',
    'index.node.js', 'checkout.node.js', 'gatekeeper.node.js', 'require.cjs', 'require.d.cts', 'integrity.json',
    'enrollment.js', 'enrollment.classic.js', 'enrollment_bg.wasm', 'enrollment.d.ts', 'enrollment.node.js',
    'index.embedded.js', 'checkout.embedded.js', 'gatekeeper.embedded.js', 'enrollment.embedded.js', 'errors.node.js',
    'checkout.d.cts', 'gatekeeper.d.cts', 'enrollment.d.cts', 'global.d.cts',
  ];
  for (const file of need) assert.ok(paths.includes(`pkg/${file}`), file);
  // Every file a page can load ships, and nothing from the build's staging.
  assert.deepEqual(paths.filter((p) => p.startsWith('pkg/')).sort(), need.map((f) => `pkg/${f}`).sort());
});

const MAIN_JS = `import { AlternativeClient, isPartnerSdkError, ApiError } from 'partner-sdk';

const out = document.getElementById('app');
const api = new URLSearchParams(location.search).get('api');
const getToken = async () => {
  const response = await fetch(api + '/api/checkout-token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
  });
  return (await response.json()).token;
};
try {
  const client = await AlternativeClient.create({ accessToken: await getToken(), baseUrl: api, onAccessTokenExpired: getToken });
  const invoice = await client.get('/v1/invoices/inv_1001');
  const refused = await client.get('/v1/invoices/inv_9999').catch((e) => e);
  out.textContent = invoice.id + ' ' + invoice.amount + ' ' + invoice.currency;
  out.dataset.refused = [refused instanceof ApiError, isPartnerSdkError(refused), refused.status].join(' ');
  out.dataset.state = 'ok';
} catch (e) {
  out.textContent = String(e && e.message);
  out.dataset.state = 'error';
}
`;

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>vite app</title><link rel="icon" href="data:,"></head>
<body><p id="app">loading</p><script type="module" src="/main.js"></script></body></html>
`;

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** A tiny static server for dist/ on a free loopback port. */
async function serve(dir) {
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url, 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = readFileSync(join(dir, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path || '.html')] || 'text/html' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

test('a fresh Vite 7 app installs the tarball, builds, and calls the sandbox cross-origin', async () => {
  const [{ filename }] = JSON.parse(npm(['pack', '--json', '--pack-destination', app], root));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'vite-app', private: true, type: 'module' }));
  writeFileSync(join(app, 'index.html'), INDEX_HTML);
  writeFileSync(join(app, 'main.js'), MAIN_JS);
  npm(['install', '--no-audit', '--no-fund', 'vite@7', `./${filename}`], app);
  execFileSync(join(app, 'node_modules/.bin/vite'), ['build', '--logLevel', 'warn'], { cwd: app, stdio: 'pipe' });
  assert.ok(readdirSync(join(app, 'dist/assets')).some((f) => f.endsWith('.wasm')), 'vite emitted the .wasm');

  const server = await serve(join(app, 'dist'));
  try {
    const { page, seen } = await watchedPage(env.browser.context);
    await page.goto(`${server.url}/?api=${encodeURIComponent(env.sandbox.url)}`);
    await page.waitForSelector('#app[data-state]', { timeout: 15_000 });
    assert.equal(await page.textContent('#app'), 'inv_1001 4999 USD');
    assert.equal(await page.getAttribute('#app', 'data-state'), 'ok');
    assert.equal(await page.getAttribute('#app', 'data-refused'), 'true true 403');
    await screenshot(page, 'vite-app.png');
    assert.deepEqual(seen.errors.filter((e) => !/status of 403/.test(e)), []);
    assert.deepEqual([seen.pageErrors, seen.warnings], [[], []]);
  } finally {
    server.close();
  }
});
