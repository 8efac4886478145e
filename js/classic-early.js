// The first statement partner-sdk.js runs (classic.js imports this module first, so the
// bundle evaluates it before the wasm-bindgen glue and the loader): start the checkout
// wasm download now. The request is what the loader would make (mode `cors`, credentials
// `same-origin`, this build's `integrity`), so a page's `<link rel="preload" as="fetch"
// crossorigin>` of the same URL is reused for it. The loader takes this promise as its
// first default load (js/loader.js `loader(…, early)`), and still tells a refused file
// from a missing one.

/**
 * Where partner-sdk.js was loaded from: its .wasm and class modules are beside it. This is
 * read so that markup a page shows (a posted review, say) cannot move it:
 * - the element comes from `Document.prototype`'s own getter, and only a `<script>`
 *   counts: `<img name="currentScript" src="https://evil/">` shadows
 *   `document.currentScript` (DOM clobbering);
 * - its `src` attribute is resolved as the browser resolved it when it fetched the script:
 *   against the first `<base href>` only if that precedes the script, else the page's
 *   address. A deferred or async script runs after the whole page is parsed, when a
 *   `<base>` further down would already have moved `script.src`.
 * (`document`, `location`, `Document`, `Node` and the element interfaces are the window's
 * own, unforgeable or shadowing any named element.)
 */
export const base = (() => {
  try {
    const script = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript').get.call(document);
    const src = script instanceof HTMLScriptElement && Element.prototype.getAttribute.call(script, 'src');
    if (src) {
      const first = Document.prototype.querySelector.call(document, 'base[href]');
      const before = first instanceof HTMLBaseElement
        && Node.prototype.compareDocumentPosition.call(first, script) & Node.DOCUMENT_POSITION_FOLLOWING;
      try {
        return new URL(src, before ? first.href : location.href).href;
      } catch {
        // A page whose address is no base (`about:srcdoc`, `about:blank` written to):
        // the browser's own resolution, against the base it inherited.
        return script.src || location.href;
      }
    }
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
