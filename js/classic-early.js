// The first statement partner-sdk.js runs (classic.js imports this module first, so the
// bundle evaluates it before the wasm-bindgen glue and the loader): start the checkout
// wasm download now. The request is what the loader would make (mode `cors`, credentials
// `same-origin`, this build's `integrity`), so a page's `<link rel="preload" as="fetch"
// crossorigin>` of the same URL is reused for it. The loader takes this promise as its
// first default load (js/loader.js `loader(…, early)`), and still tells a refused file
// from a missing one.

/**
 * Where partner-sdk.js was loaded from: its .wasm and class modules are beside it. Read
 * through `Document.prototype`'s own getter, and only from a `<script>`: injected markup
 * such as `<img name="currentScript" src="https://evil/">` shadows `document.currentScript`
 * (DOM clobbering) and would otherwise make this script import its class modules from
 * there. (`document`, `location` and the interfaces are the window's own, unforgeable or
 * shadowing any named element.)
 */
export const base = (() => {
  try {
    const script = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript').get.call(document);
    if (script instanceof HTMLScriptElement && script.src) return script.src;
  } catch {
    // (no DOM: the page's address, as below)
  }
  return location.href;
})();

/**
 * The page included partner-sdk.js before (a tag manager adding the tag twice, say): that
 * script's `PartnerSDK` stays, so clients, `instanceof` checks and the loaded wasm keep
 * working, and this copy downloads and defines nothing.
 */
export const again = (() => {
  try {
    return Boolean(globalThis.PartnerSDK && globalThis.PartnerSDK[Symbol.for('partner-sdk.classic')]);
  } catch {
    return false; // (an <iframe name="PartnerSDK"> of another origin: replaced, as before)
  }
})();

/** The checkout wasm's pinned fetch, started before anything else in this script. */
// With the loader's 60 s deadline (js/loader.js LOAD_MS), where the runtime has one.
export const early = again ? undefined : fetch(new URL('checkout_bg.wasm', base), {
  integrity: __CHECKOUT_SHA384__,
  signal: AbortSignal.timeout ? AbortSignal.timeout(60000) : undefined,
});
if (early) early.catch(() => {}); // the loader handles (and explains) a failure
