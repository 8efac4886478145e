// ESM Gatekeeper page: SafeSDK from /pkg/gatekeeper.js, initialize() and one check().
import { SafeSDK } from '/pkg/gatekeeper.js';

window.footprintPage.run(async () => {
  const token = await window.footprintPage.mint('gatekeeper');
  const sdk = new SafeSDK({
    apiKey: 'demo-api-key',
    applicationId: 'demo-app',
    applicationVersion: '1.0.0',
    baseUrl: location.origin,
  });
  await sdk.initialize(token);
  const check = await sdk.check();
  if (typeof sdk.destroy === 'function') sdk.destroy();
  if (!check || check.status !== 'Ok') throw new Error(`unexpected check ${JSON.stringify(check)}`);
  return { result: check.status };
});
