// <script type=module> page: www/esm.html served by a sandbox of its own.
import { after, before, test } from 'node:test';
import { launchBrowser, startSandbox } from './helpers.mjs';
import { checkoutFlow } from './checkout-flow.mjs';

let sandbox;
let browser;
before(async () => {
  sandbox = await startSandbox();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await sandbox?.stop();
});

test('<script type=module> page: the same flow through the ESM entry', async () => {
  await checkoutFlow({ sandbox, context: browser.context, path: '/esm.html', shot: 'checkout-esm.png' });
});
