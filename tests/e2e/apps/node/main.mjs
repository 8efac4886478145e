// A partner's Node script (server-side code, a cron job): checkout calls with Node's fetch.
import { AlternativeClient, ApiError, SafeSDK } from 'partner-sdk';

const fetchesOnImport = [...globalThis.__fetches];
const api = process.env.SANDBOX_URL;
const mint = async () => {
  const response = await fetch(`${api}/api/checkout-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
  });
  return (await response.json()).token;
};
let callbacks = 0;
const client = await AlternativeClient.create({
  accessToken: await mint(),
  baseUrl: api,
  onAccessTokenExpired: () => { callbacks += 1; return mint(); },
});
const invoice = await client.get('/v1/invoices/inv_1001');
const payment = await client.post('/v1/invoices/inv_1001/payments', { amount: invoice.amount });
const callbacksBeforeRevoke = callbacks;
await fetch(`${api}/__sandbox/revoke`, { method: 'POST' });
const again = await client.get('/v1/invoices/inv_1001');
const refused = await client.get('/v1/invoices/inv_9999').catch((e) => e);
client.destroy();

// SafeSDK in Node 20 (no localStorage): it works, and registers on every initialize().
const gatekeeperToken = async () => (await (await fetch(`${api}/api/gatekeeper-token`)).text()).trim();
const gatekeeper = () => new SafeSDK({
  apiKey: 'demo-api-key', applicationId: 'demo-app', applicationVersion: '1.0.0', baseUrl: api,
  onAccessTokenExpired: gatekeeperToken,
});
const first = gatekeeper();
const second = gatekeeper();
const registrations = [(await first.initialize(await gatekeeperToken())).registered, (await second.initialize(await gatekeeperToken())).registered];
const check = await first.check();
first.destroy();
second.destroy();
console.log(JSON.stringify({
  resolved: import.meta.resolve('partner-sdk'),
  fetchesOnImport,
  invoice: [invoice.id, invoice.amount, invoice.currency],
  payment: [payment.status, payment.invoice_id, payment.amount],
  callbacksBeforeRevoke,
  callbacks,
  again: again.id,
  refused: [refused instanceof ApiError, refused.status],
  hasLocalStorage: typeof localStorage !== 'undefined',
  registrations,
  check: check.status,
}));
