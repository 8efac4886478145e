// ESM page, AlternativeClient from /pkg/index.js: create() and one GET.
import { AlternativeClient } from '/pkg/index.js';

window.footprintPage.run(async () => {
  const accessToken = await window.footprintPage.mint('checkout');
  const client = await AlternativeClient.create({ accessToken, baseUrl: location.origin });
  const invoice = await client.get('/v1/invoices/inv_1001');
  client.destroy();
  if (!invoice || invoice.id !== 'inv_1001') throw new Error(`unexpected body ${JSON.stringify(invoice)}`);
  return { result: invoice.id };
});
