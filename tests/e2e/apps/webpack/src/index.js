// The same page for every bundler: pay invoice inv_1001 against the sandbox in ?api=.
import { AlternativeClient } from 'partner-sdk';

const out = document.getElementById('app');
const api = new URLSearchParams(location.search).get('api');
const mint = async () => {
  const response = await fetch(api + '/api/checkout-token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
  });
  return (await response.json()).token;
};
try {
  const client = await AlternativeClient.create({ accessToken: await mint(), baseUrl: api, onAccessTokenExpired: mint });
  const invoice = await client.get('/v1/invoices/inv_1001');
  const payment = await client.post('/v1/invoices/inv_1001/payments', {});
  out.textContent = `${invoice.id} ${payment.status} ${payment.amount} ${payment.currency}`;
  out.dataset.state = 'ok';
} catch (e) {
  out.textContent = String(e && e.message);
  out.dataset.state = 'error';
}
