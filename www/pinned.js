// pinned.html and trusted-types.html: the checkout demo, but only if the pinned SDK
// actually ran. When the browser refuses /pkg/partner-sdk.js (its bytes do not match the
// tag's `integrity`, or it could not be fetched), `PartnerSDK` is missing: the page says
// so, keeps Pay disabled and calls nothing, not even its own backend.
(function () {
  'use strict';

  const sdk = window.PartnerSDK;
  if (!sdk) {
    document.body.dataset.sdk = 'blocked';
    document.getElementById('error').textContent =
      'Payment is unavailable: the browser refused the payment SDK (/pkg/partner-sdk.js failed its integrity check or could not be loaded). Nothing was sent.';
    document.getElementById('invoice-id').textContent = 'unavailable';
    document.getElementById('load-error').textContent = 'The payment SDK did not load, so this page cannot take a payment. Reloading fetches it again.';
    document.getElementById('unavailable').hidden = false;
    document.getElementById('retry').addEventListener('click', () => location.reload());
    return;
  }
  document.body.dataset.sdk = 'loaded';
  window.CheckoutDemo.start(sdk, 'a classic <script> tag pinned with integrity (global PartnerSDK)');
})();
