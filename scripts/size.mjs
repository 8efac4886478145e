// npm run size: what a page downloads from pkg/ to make one call, gzip -9 of each file as
// fetched, per page (figure 1 of `npm run bench`, same code: bench/lib/size.mjs).
// Loads bench/www/footprint/*.html in headless Chromium against a sandbox: the one at
// SANDBOX_URL if set (scripts/bench.sh sets it), else one started here and stopped after.
// Needs pkg/ built (`npm run build`).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from '../bench/lib/browser.mjs';
import { startSandbox } from '../bench/lib/sandbox.mjs';
import { formatPages, measurePages } from '../bench/lib/size.mjs';

const root = new URL('..', import.meta.url).pathname;
for (const f of ['partner-sdk.js', 'checkout.js', 'gatekeeper.js', 'index.js']) {
  if (!existsSync(join(root, 'pkg', f))) {
    console.error(`pkg/${f} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}

const sandbox = process.env.SANDBOX_URL ? { url: process.env.SANDBOX_URL, stop: async () => {} } : await startSandbox(root);
let browser;
try {
  browser = await launch();
  const pages = await measurePages(browser, sandbox.url, root);
  console.log('Per page: every response under /pkg/ while the page loads and makes one call, each');
  console.log('gzipped on its own (node zlib level 9), as a browser with an empty cache fetches it.\n');
  console.log(formatPages(pages));
} finally {
  if (browser) await browser.close();
  await sandbox.stop();
}
