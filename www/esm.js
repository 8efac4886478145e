// esm.html: the checkout demo of index.html, with the SDK imported as an ES module.
// The import waits for the wasm beside /pkg/index.js to load (top-level await).
import { AlternativeClient, isPartnerSdkError } from '/pkg/index.js';

window.CheckoutDemo.start({ AlternativeClient, isPartnerSdkError }, '<script type="module"> importing /pkg/index.js');
