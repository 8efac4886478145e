// esm.html: the checkout demo of index.html, with the SDK imported as an ES module.
// /pkg/checkout.js is AlternativeClient's own entry: it downloads checkout_bg.wasm only
// (the download starts on import; create() waits for it), not SafeSDK's or the card form's.
import { AlternativeClient, isPartnerSdkError } from '/pkg/checkout.js';

window.CheckoutDemo.start({ AlternativeClient, isPartnerSdkError }, '<script type="module"> importing /pkg/checkout.js');
