// partner-sdk/gatekeeper: SafeSDK and the errors, with only the Gatekeeper wasm.
// `new SafeSDK(...)` validates synchronously, so this module waits for its wasm
// before it finishes importing (a wasm hosted elsewhere: call `init(url)` first).
import initWasm, { SafeSDK, __explainNotLoaded } from './gatekeeper_glue.js';
import { besidePackage, loader } from './loader.js';

// Bundlers (Vite, webpack, Next.js) see this `new URL(…, import.meta.url)` and ship
// the .wasm as an asset; the Node build reads the same file from disk instead, and the
// build for esbuild (pkg/*.embedded.js, scripts/build-embedded.mjs) carries its bytes.
const wasm = loader(initWasm, () => besidePackage(new URL('gatekeeper_bg.wasm', import.meta.url)), __GATEKEEPER_SHA384__);

__explainNotLoaded(wasm.notLoaded);

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
