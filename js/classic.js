// partner-sdk.js, the classic <script src> entry: defines the global `PartnerSDK`.
// It starts the checkout wasm download at once; SafeSDK's module loads only when the
// page asks for it (`await PartnerSDK.ready`), so a checkout page never downloads it.
import initWasm, { AlternativeClient } from './checkout_glue.js';
import { loader } from './loader.js';
import { prepare } from './alternative.js';
import * as errors from './public-errors.js';
import { makeError, ignoreRejection } from './errors.js';

const base = (document.currentScript && document.currentScript.src) || location.href;
const checkout = loader(initWasm, () => new URL('checkout_bg.wasm', base), __CHECKOUT_SHA384__);
checkout.init().catch(() => {});

prepare(AlternativeClient, () => checkout.init());

let gatekeeper;
let everything;

/** `new PartnerSDK.SafeSDK(...)` after `await PartnerSDK.ready`. */
function SafeSDK(options) {
  if (!gatekeeper) {
    throw new errors.ConfigurationError(
      "invalid option `SafeSDK`: await PartnerSDK.ready before new PartnerSDK.SafeSDK()",
      { key: 'SafeSDK' },
    );
  }
  return new gatekeeper.SafeSDK(options);
}

/** Loads every class (`{ checkout, gatekeeper }` sources, or from beside this script). */
function init(sources = {}) {
  const load = import(new URL('gatekeeper.classic.js', base).href).catch((cause) => {
    throw new errors.NetworkError('partner-sdk could not load its Gatekeeper module', { cause });
  }).then(async (module) => {
    await module.init(sources.gatekeeper);
    gatekeeper = module;
    SafeSDK.prototype = module.SafeSDK.prototype;
  });
  return Promise.all([checkout.init(sources.checkout), load]).then(() => {});
}

globalThis.PartnerSDK = Object.freeze({
  ...errors,
  // For gatekeeper.classic.js: the same error classes as this script's, not a copy.
  [Symbol.for('partner-sdk.classic')]: { makeError, ignoreRejection },
  AlternativeClient,
  SafeSDK,
  init,
  /** Settles once every class has loaded: this is what loads SafeSDK's module. */
  get ready() {
    if (!everything) {
      everything = init();
      everything.catch(() => {});
    }
    return everything;
  },
});
