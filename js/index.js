// partner-sdk: every class. Each class still has its own wasm module, loaded from
// beside this file; `init({ checkout, gatekeeper })` loads them from elsewhere.
import * as checkout from './checkout.js';
import * as gatekeeper from './gatekeeper.js';

/** Settles once every class's wasm has loaded. */
export const ready = Promise.all([checkout.ready, gatekeeper.ready]).then(() => {});
ready.catch(() => {});

/**
 * Loads the wasm modules: from beside this file, or `{ checkout, gatekeeper }` sources.
 * @param {{ checkout?: unknown, gatekeeper?: unknown }} [sources]
 */
export function init(sources = {}) {
  return Promise.all([checkout.init(sources.checkout), gatekeeper.init(sources.gatekeeper)]).then(() => {});
}

export { AlternativeClient } from './checkout.js';
export { SafeSDK } from './gatekeeper.js';
export * from './public-errors.js';
