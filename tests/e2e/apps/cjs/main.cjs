// A CommonJS partner script: require() is refused with a message that says to use import,
// and the dynamic import it recommends works.
let message = null;
try {
  require('partner-sdk');
} catch (e) {
  message = e.message;
}
(async () => {
  const api = process.env.SANDBOX_URL;
  const { AlternativeClient } = await import('partner-sdk');
  const response = await fetch(`${api}/api/checkout-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'cus_demo', invoiceId: 'inv_1001' }),
  });
  const client = await AlternativeClient.create({ accessToken: (await response.json()).token, baseUrl: api });
  const invoice = await client.get('/v1/invoices/inv_1001');
  console.log(JSON.stringify({ message, invoice: invoice.id }));
})();
