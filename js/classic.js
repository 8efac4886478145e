// partner-sdk.js, the classic <script src> entry: defines the global `PartnerSDK`.
// It starts the checkout wasm download as its first statement (./classic-early.js);
// SafeSDK's module loads only when the page asks for it (`await PartnerSDK.ready`), and
// CardEnrollment's when the page opens a form, so a checkout page downloads neither.
import { base, early } from './classic-early.js'; // first: evaluated before everything else
import initWasm, { AlternativeClient } from './checkout_glue.js';
import { loader } from './loader.js';
import { prepare } from './alternative.js';
import * as errors from './public-errors.js';
import { makeError, ignoreRejection, fetchAttempt, setDeadlineTimer, settleOf } from './errors.js';

const checkout = loader(initWasm, () => new URL('checkout_bg.wasm', base), __CHECKOUT_SHA384__, early);
checkout.init().catch(() => {});

prepare(AlternativeClient, () => checkout.init());

let gatekeeper;
let everything;
let enrollment;

/** Imports one of the on-demand class modules beside this script. */
function classModule(file, what) {
  return import(new URL(file, base).href).catch((cause) => {
    throw new errors.NetworkError(`partner-sdk could not load its ${what} module`, { cause });
  });
}

/** CardEnrollment's module, loaded once, on first use (or by `init({ enrollment })`). */
function loadEnrollment(source) {
  if (!enrollment) {
    enrollment = classModule('enrollment.classic.js', 'card form');
    enrollment.catch(() => { enrollment = undefined; });
  }
  return source === undefined ? enrollment : enrollment.then(async (m) => { await m.init(source); return m; });
}

/** `PartnerSDK.CardEnrollment.openForm(options)`: loads the card form's module first. */
const CardEnrollment = Object.freeze({
  openForm: async (options) => (await loadEnrollment()).CardEnrollment.openForm(options),
});

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

/**
 * Loads SafeSDK's and AlternativeClient's modules (`{ checkout, gatekeeper }` sources, or
 * from beside this script), and CardEnrollment's when `sources.enrollment` is given.
 */
function init(sources = {}) {
  const load = classModule('gatekeeper.classic.js', 'Gatekeeper').then(async (module) => {
    await module.init(sources.gatekeeper);
    gatekeeper = module;
    SafeSDK.prototype = module.SafeSDK.prototype;
  });
  const loads = [checkout.init(sources.checkout), load];
  if (sources.enrollment !== undefined) loads.push(loadEnrollment(sources.enrollment));
  return Promise.all(loads).then(() => {});
}

globalThis.PartnerSDK = Object.freeze({
  ...errors,
  // For gatekeeper.classic.js: the same error classes as this script's, not a copy.
  [Symbol.for('partner-sdk.classic')]: { makeError, ignoreRejection, fetchAttempt, setDeadlineTimer, settleOf },
  AlternativeClient,
  SafeSDK,
  CardEnrollment,
  init,
  /** Settles once AlternativeClient and SafeSDK have loaded: this is what loads SafeSDK's module. */
  get ready() {
    if (!everything) {
      everything = init();
      everything.catch(() => {});
    }
    return everything;
  },
});
