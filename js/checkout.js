// partner-sdk/checkout: AlternativeClient and the errors, with only the checkout wasm.
// The download starts when this module is evaluated; `create()` awaits it.
import initWasm, { AlternativeClient } from './checkout_glue.js';
import { besidePackage, loader } from './loader.js';
import { prepare } from './alternative.js';
import { face } from './class-face.js';

// Bundlers (Vite, webpack, Next.js) see this `new URL(…, import.meta.url)` and ship
// the .wasm as an asset; the Node build reads the same file from disk instead, and the
// build for esbuild (pkg/*.embedded.js, scripts/build-embedded.mjs) carries its bytes.
const wasm = loader(initWasm, () => besidePackage(new URL('checkout_bg.wasm', import.meta.url)), __CHECKOUT_SHA384__);

/** Settles once the checkout wasm has loaded (it starts loading on import), or rejects with the latest load's failure: an `init(source)` made meanwhile decides. */
export const ready = wasm.ready();
ready.catch(() => {});

/** Loads the checkout wasm from `source` (URL, Response, bytes or a compiled module). */
export const init = (source) => wasm.init(source);

face(prepare(AlternativeClient, () => wasm.init()), 'AlternativeClient');

export { AlternativeClient };
export * from './public-errors.js';
