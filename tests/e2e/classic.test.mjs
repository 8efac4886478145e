// classic <script src> page: www/index.html served by a sandbox of its own.
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

test('classic <script src> page: loads under the CSP, shows the invoice, recovers from a revoke through one refresh', async () => {
  await checkoutFlow({ sandbox, context: browser.context, path: '/', shot: 'checkout-classic.png' });
});
