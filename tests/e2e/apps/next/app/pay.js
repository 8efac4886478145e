'use client';
// The SDK in a client component: imported at the top, used in an effect.
import { useEffect, useState } from 'react';
import { AlternativeClient } from 'partner-sdk';

export default function Pay() {
  const [result, setResult] = useState({ state: undefined, text: 'loading' });
  useEffect(() => {
    const api = new URLSearchParams(location.search).get('api');
    const mint = async () => {
      const response = await fetch(api + '/api/checkout-token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
      });
      return (await response.json()).token;
    };
    (async () => {
      const client = await AlternativeClient.create({ accessToken: await mint(), baseUrl: api, onAccessTokenExpired: mint });
      const invoice = await client.get('/v1/invoices/inv_1001');
      const payment = await client.post('/v1/invoices/inv_1001/payments', {});
      setResult({ state: 'ok', text: `${invoice.id} ${payment.status} ${payment.amount} ${payment.currency}` });
    })().catch((e) => setResult({ state: 'error', text: String(e && e.message) }));
  }, []);
  return <p id="app" data-state={result.state}>{result.text}</p>;
}
