// Classic checkout page: the global PartnerSDK, create() and one GET.
window.footprintPage.run(async () => {
  const accessToken = await window.footprintPage.mint('checkout');
  const client = await window.PartnerSDK.AlternativeClient.create({ accessToken, baseUrl: location.origin });
  const invoice = await client.get('/v1/invoices/inv_1001');
  client.destroy();
  if (!invoice || invoice.id !== 'inv_1001') throw new Error(`unexpected body ${JSON.stringify(invoice)}`);
  return { result: invoice.id };
});
