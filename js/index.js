// partner-sdk: every class. Each class still has its own wasm module, loaded from
// beside this file; `init({ checkout, gatekeeper, enrollment })` loads them from elsewhere.
import * as checkout from './checkout.js';
import * as gatekeeper from './gatekeeper.js';
import * as enrollment from './enrollment.js';
import { initClasses } from './sources.js';

/** Settles once every class's wasm has loaded. */
export const ready = Promise.all([checkout.ready, gatekeeper.ready, enrollment.ready]).then(() => {});
ready.catch(() => {});

/**
 * Loads the wasm modules: from beside this file, or `{ checkout, gatekeeper, enrollment }` sources.
 * @param {{ checkout?: unknown, gatekeeper?: unknown, enrollment?: unknown }} [sources]
 */
export function init(sources) {
  return initClasses(sources, (from) => Promise.all([
    checkout.init(from.checkout),
    gatekeeper.init(from.gatekeeper),
    enrollment.init(from.enrollment),
  ]).then(() => {}));
}

export { AlternativeClient } from './checkout.js';
export { SafeSDK } from './gatekeeper.js';
export { CardEnrollment } from './enrollment.js';
export * from './public-errors.js';
