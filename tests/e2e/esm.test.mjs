// <script type=module> page: www/esm.html served by a sandbox of its own.
import { test } from 'node:test';
import { sandboxAndBrowser } from './helpers.mjs';
import { checkoutFlow } from './checkout-flow.mjs';

const env = sandboxAndBrowser();

test('<script type=module> page: the same flow through the ESM entry', async () => {
  await checkoutFlow({ sandbox: env.sandbox, context: env.browser.context, path: '/esm.html', shot: 'checkout-esm.png' });
});
