// A partner's unit test of their payment code, run by `npx vitest run` (Node environment,
// no vitest config).
import { expect, test } from 'vitest';
import { AlternativeClient, ApiError } from 'partner-sdk';

const api = process.env.SANDBOX_URL;
const mint = async () => {
  const response = await fetch(`${api}/api/checkout-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
  });
  return (await response.json()).token;
};

test('pays an invoice through the sandbox', async () => {
  let callbacks = 0;
  const client = await AlternativeClient.create({
    accessToken: await mint(), baseUrl: api, onAccessTokenExpired: () => { callbacks += 1; return mint(); },
  });
  const invoice = await client.get('/v1/invoices/inv_1001');
  expect([invoice.id, invoice.amount, invoice.currency]).toEqual(['inv_1001', 4999, 'USD']);
  const payment = await client.post('/v1/invoices/inv_1001/payments', {});
  expect(payment).toMatchObject({ status: 'succeeded', invoice_id: 'inv_1001' });
  await fetch(`${api}/__sandbox/revoke`, { method: 'POST' });
  expect((await client.get('/v1/invoices/inv_1001')).id).toBe('inv_1001');
  expect(callbacks).toBe(1);
  const refused = await client.get('/v1/invoices/inv_9999').catch((e) => e);
  expect(refused).toBeInstanceOf(ApiError);
  expect(refused.status).toBe(403);
});
