// partner-sdk/gatekeeper: SafeSDK and the errors, with only the Gatekeeper wasm.
// `new SafeSDK(...)` validates synchronously, so this module waits for its wasm
// before it finishes importing (a wasm hosted elsewhere: call `init(url)` first). If
// the wasm could not be loaded, `new SafeSDK(...)` still returns, and its
// `initialize()` loads the wasm again or rejects with why it could not.
import initWasm, { SafeSDK, __explainNotLoaded } from './gatekeeper_glue.js';
import { besidePackage, loader } from './loader.js';
import { ClientDestroyedError } from './errors.js';

// Bundlers (Vite, webpack, Next.js) see this `new URL(…, import.meta.url)` and ship
// the .wasm as an asset; the Node build reads the same file from disk instead, and the
// build for esbuild (pkg/*.embedded.js, scripts/build-embedded.mjs) carries its bytes.
const wasm = loader(initWasm, () => besidePackage(new URL('gatekeeper_bg.wasm', import.meta.url)), __GATEKEEPER_SHA384__);

/**
 * What `new SafeSDK(options)` gives while the wasm is not loaded (its load failed, or
 * `init()` is still loading it): a SafeSDK whose `initialize()` loads the wasm first
 * (again, after a failure), then builds the real one with `options` and initializes it.
 * So a refused or missing .wasm rejects `initialize()` with its `NetworkError`, and bad
 * options reject it with `ConfigurationError`, instead of the constructor throwing.
 * Until then `check()` rejects, and `setAccessToken()` and `startPeriodicCheck()` throw,
 * with why the wasm is not there (once destroyed, `check()` rejects with
 * `ClientDestroyedError` and loads nothing).
 */
function unloaded(options) {
  let sdk;
  let destroyed = false;
  const load = () => wasm.init().then(() => {
    sdk ??= new SafeSDK(options);
    if (destroyed) sdk.destroy();
    return sdk;
  });
  const real = () => {
    if (!sdk) throw wasm.notLoaded();
    return sdk;
  };
  return Object.defineProperties(Object.create(SafeSDK.prototype), {
    initialize: { value: (jwt) => load().then((s) => s.initialize(jwt)) },
    setAccessToken: { value: (jwt) => real().setAccessToken(jwt) },
    check: {
      value: () => {
        if (sdk) return sdk.check();
        return Promise.reject(destroyed ? new ClientDestroyedError('the client was destroyed') : wasm.notLoaded());
      },
    },
    startPeriodicCheck: { value: (ms, callback) => real().startPeriodicCheck(ms, callback) },
    stopPeriodicCheck: { value: () => sdk?.stopPeriodicCheck() },
    deviceId: { get: () => (sdk ? sdk.deviceId : null) },
    destroy: { value: () => { destroyed = true; sdk?.destroy(); } },
    free: { value: () => sdk?.free() },
  });
}

__explainNotLoaded(unloaded);

// A running periodic check keeps its SafeSDK alive, as `setInterval` keeps its callback.
// Otherwise a page that keeps no reference to the SDK would have it collected (the
// glue frees each SafeSDK the garbage collector finds unreachable), and its checks
// would stop without a word. Stopping, `destroy()` and `free()` let it go.
const checking = new Set();
for (const [name, keep] of [['startPeriodicCheck', true], ['stopPeriodicCheck'], ['destroy'], ['free']]) {
  const method = SafeSDK.prototype[name];
  SafeSDK.prototype[name] = function (...args) {
    const result = method.apply(this, args);
    if (keep) checking.add(this);
    else checking.delete(this);
    return result;
  };
}
// The glue set `Symbol.dispose` to the unwrapped `free`: `using sdk = …` must let go
// too, through the object's own `free` (the stand-in above has one of its own).
if (Symbol.dispose) SafeSDK.prototype[Symbol.dispose] = function () { this.free(); };

/** Settles once the Gatekeeper wasm has loaded (it starts loading on import). */
export const ready = wasm.init();
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
