// partner-sdk, ESM entry. The wasm sits beside this file and is loaded at import
// (top-level await), so `new SafeSDK(...)` can validate synchronously. Call `init(url)`
// to pre-load or to host the .wasm elsewhere.
import initWasm, { AlternativeClient, SafeSDK } from './partner_sdk.js';

export * from './errors.js';
export { AlternativeClient, SafeSDK };

let loading;

/**
 * Loads the wasm module once. Optional: the first use loads it for you.
 * @param {RequestInfo | URL | Response | BufferSource | WebAssembly.Module} [moduleOrUrl]
 * @returns {Promise<void>}
 */
export function init(moduleOrUrl) {
  if (!loading || moduleOrUrl !== undefined) {
    loading = initWasm(moduleOrUrl === undefined ? undefined : { module_or_path: moduleOrUrl });
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading.then(() => undefined);
}

const create = AlternativeClient.create;
/** @param {object} options */
AlternativeClient.create = async function (options) {
  await init();
  return create.call(this, options);
};

try {
  await init();
} catch {
  // The .wasm is not beside this file: the page calls init(url) itself.
}
