// partner-sdk.js, the classic <script src> entry: defines the global `PartnerSDK`.
// It starts the checkout wasm download as its first statement (./classic-early.js);
// SafeSDK's module loads only when the page asks for it (`new PartnerSDK.SafeSDK()` or
// `await PartnerSDK.ready`), and
// CardEnrollment's when the page opens a form, so a checkout page downloads neither.
import { again, base, early } from './classic-early.js'; // first: evaluated before everything else
import initWasm, { AlternativeClient } from './checkout_glue.js';
import { loader } from './loader.js';
import { initClasses } from './sources.js';
import { prepare } from './alternative.js';
import { face } from './class-face.js';
import { standIn } from './stand-in.js';
import * as errors from './public-errors.js';
import { makeError, notify, fetchAttempt, redact, setTimer, clearTimer, settleOf, anySignal, jsonBody } from './errors.js';

const checkout = loader(initWasm, () => new URL('checkout_bg.wasm', base), __CHECKOUT_SHA384__, early);
if (!again) checkout.init().catch(() => {});

face(prepare(AlternativeClient, () => checkout.init()), 'AlternativeClient');

let gatekeeper; // SafeSDK's module, loading or loaded
let Gatekeeper; // … once loaded, with its wasm
let gatekeeperFailure; // why the latest load of it failed
let gatekeeperLoads = 0;
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

/**
 * `PartnerSDK.CardEnrollment.openForm(options)`: loads the card form's module first. A
 * class, as in the ESM entries, so `instanceof` and `typeof` read the same.
 */
class CardEnrollment {
  constructor() {
    throw new errors.ConfigurationError(
      'open a form with `await PartnerSDK.CardEnrollment.openForm(options)`, not `new`',
      { key: 'CardEnrollment' },
    );
  }

  static async openForm(options) {
    return (await loadEnrollment()).CardEnrollment.openForm(options);
  }
}
Object.defineProperty(CardEnrollment, 'name', { value: 'CardEnrollment' });
Object.freeze(CardEnrollment);

/**
 * SafeSDK's module, loaded once (again after a failure), and its wasm from `source`
 * (default: beside this script). Resolves to the module.
 */
function loadGatekeeper(source) {
  if (!gatekeeper) {
    gatekeeper = classModule('gatekeeper.classic.js', 'Gatekeeper');
    gatekeeper.catch(() => { gatekeeper = undefined; });
  }
  const load = gatekeeper.then(async (module) => {
    await module.init(source);
    Gatekeeper = module;
    SafeSDK.prototype = module.SafeSDK.prototype;
    return module;
  });
  // Only the latest load says why SafeSDK is not there (an older one may fail later).
  const latest = ++gatekeeperLoads;
  gatekeeperFailure = undefined;
  load.then(
    () => { if (latest === gatekeeperLoads) gatekeeperFailure = undefined; },
    (error) => { if (latest === gatekeeperLoads) gatekeeperFailure = error; },
  );
  return load;
}

/**
 * `new PartnerSDK.SafeSDK(options)`. Once SafeSDK's module has loaded (after
 * `PartnerSDK.ready`, or an earlier SafeSDK's `initialize()`), the real SafeSDK, which
 * checks `options` in the constructor. Before, a stand-in that starts loading the module
 * and checks `options` once it is there: a bad option rejects `initialize()` with
 * `ConfigurationError` instead.
 */
function SafeSDK(options) {
  if (Gatekeeper) return new Gatekeeper.SafeSDK(options);
  const sdk = standIn(
    options,
    () => loadGatekeeper().then((module) => module.SafeSDK),
    () => gatekeeperFailure || new errors.ConfigurationError(
      "SafeSDK's module is still loading: await sdk.initialize() or PartnerSDK.ready first",
      { key: 'SafeSDK' },
    ),
    SafeSDK.prototype,
    true,
  );
  standIns.add(sdk);
  return sdk;
}
Object.defineProperty(SafeSDK, 'name', { value: 'SafeSDK' });
// A stand-in is a SafeSDK too, before and after the module's prototype replaces ours.
const standIns = new WeakSet();
Object.defineProperty(SafeSDK, Symbol.hasInstance, {
  value: (value) => standIns.has(value) || (Gatekeeper !== undefined && value instanceof Gatekeeper.SafeSDK),
});

/**
 * Loads SafeSDK's and AlternativeClient's modules (`{ checkout, gatekeeper }` sources, or
 * from beside this script), and CardEnrollment's when `sources.enrollment` is given.
 */
function init(sources) {
  return initClasses(sources, (from) => {
    const loads = [checkout.init(from.checkout), loadGatekeeper(from.gatekeeper)];
    if (from.enrollment !== undefined) loads.push(loadEnrollment(from.enrollment));
    return Promise.all(loads).then(() => {});
  });
}

if (!again) globalThis.PartnerSDK = Object.freeze({
  ...errors,
  // For gatekeeper.classic.js: the same error classes as this script's, not a copy.
  [Symbol.for('partner-sdk.classic')]: Object.freeze({ build: __PARTNER_SDK_BUILD__, makeError, notify, fetchAttempt, redact, setTimer, clearTimer, settleOf, anySignal, jsonBody }),
  AlternativeClient,
  SafeSDK,
  CardEnrollment,
  init,
  /**
   * Settles once AlternativeClient and SafeSDK have loaded: this is what loads SafeSDK's
   * module. After a failed load, the next read of `ready` tries again.
   */
  get ready() {
    if (!everything) {
      const load = init();
      everything = load;
      load.catch(() => { if (everything === load) everything = undefined; });
    }
    return everything;
  },
});
