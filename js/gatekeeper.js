// partner-sdk/gatekeeper: SafeSDK and the errors, with only the Gatekeeper wasm.
// `new SafeSDK(...)` validates synchronously, so this module waits for its wasm
// before it finishes importing (a wasm hosted elsewhere: call `init(url)` first). If
// the wasm could not be loaded, `new SafeSDK(...)` still returns, and its
// `initialize()` loads the wasm again or rejects with why it could not.
import initWasm, { SafeSDK, __explainNotLoaded } from './gatekeeper_glue.js';
import { besidePackage, loader } from './loader.js';
import { standIn } from './stand-in.js';
import { face } from './class-face.js';
import { useTurns } from './errors.js';
import { takeTurn } from './turns.js';

// Bundlers (Vite, webpack, Next.js) see this `new URL(…, import.meta.url)` and ship
// the .wasm as an asset; the Node build reads the same file from disk instead, and the
// build for esbuild (pkg/*.embedded.js, scripts/build-embedded.mjs) carries its bytes.
const wasm = loader(initWasm, () => besidePackage(new URL('gatekeeper_bg.wasm', import.meta.url)), __GATEKEEPER_SHA384__);

// Tabs of one profile take turns to register the device (js/turns.js).
useTurns(takeTurn);

// What `new SafeSDK(options)` gives while the wasm is not loaded (its load failed, or
// `init()` is still loading it): a stand-in whose `initialize()` loads it (again).
__explainNotLoaded((options) => standIn(
  options,
  () => wasm.init().then(() => SafeSDK),
  () => wasm.notLoaded(),
  SafeSDK.prototype,
  false,
));

// A running periodic check keeps its SafeSDK alive, as `setInterval` keeps its callback.
// Otherwise a page that keeps no reference to the SDK would have it collected (the
// glue frees each SafeSDK the garbage collector finds unreachable), and its checks
// would stop without a word. Stopping and `destroy()` (so `free()` and `using`) let it go.
face(SafeSDK, 'SafeSDK');
const checking = new Set();
for (const [name, keep] of [['startPeriodicCheck', true], ['stopPeriodicCheck'], ['destroy']]) {
  const method = SafeSDK.prototype[name];
  SafeSDK.prototype[name] = function (...args) {
    const result = method.apply(this, args);
    if (keep) checking.add(this);
    else checking.delete(this);
    return result;
  };
}

/** The default load of the Gatekeeper wasm (from beside this file), settled before the page's code runs, since importing this module waits for it. If it rejected, load the wasm with `init(source)` and await that: `ready` does not change afterwards. */
export const ready = wasm.ready();
ready.catch(() => {});

/** Loads the Gatekeeper wasm from `source` (URL, Response, bytes or a compiled module). */
export const init = (source) => wasm.init(source);

try {
  await ready;
} catch {
  // The .wasm is not beside this file: the page calls init(source) itself.
}

export { SafeSDK };
export * from './public-errors.js';
