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
 * - its `src` attribute is resolved against the page's `<base>` only if that is the
 *   document's base element, a child of `<head>` before the script, and then as the
 *   browser applied it (`baseURI`: not if the page's CSP `base-uri` refused it); else
 *   against the page's address. Markup in the body cannot put a `<base>` into `<head>`,
 *   while one further down (a deferred or async script runs after the whole page is
 *   parsed), or one the parser moved up out of a table, would move `script.src`.
 * Every DOM member is read from its interface's prototype, which no named element
 * shadows; `document`, `location` and the interfaces are the window's own.
 */
export const base = (() => {
  const get = (proto, key, of) => Object.getOwnPropertyDescriptor(proto, key).get.call(of);
  try {
    const script = get(Document.prototype, 'currentScript', document);
    const src = script instanceof HTMLScriptElement && Element.prototype.getAttribute.call(script, 'src');
    if (src) {
      const bases = [...Document.prototype.querySelectorAll.call(document, 'base[href]')];
      const first = bases.find((b) => b instanceof HTMLBaseElement);
      const own = !first || (get(Node.prototype, 'parentNode', first) === get(Document.prototype, 'head', document)
        && Node.prototype.compareDocumentPosition.call(first, script) & Node.DOCUMENT_POSITION_FOLLOWING);
      try {
        return new URL(src, own ? get(Node.prototype, 'baseURI', document) : location.href).href;
      } catch {
        // A page whose address is no base (`about:srcdoc`) with a `<base>` that does not
        // count: where the script came from is unknown, so nothing loads (an address
        // that never resolves, RFC 6761), and the loader reports a NetworkError.
        return 'https://partner-sdk.invalid/';
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
