// Loads the wasm module once, for both entries, and makes `AlternativeClient.create`
// wait for it. A .wasm that cannot be fetched or compiled surfaces as NetworkError.
import initWasm, { AlternativeClient } from './partner_sdk.js';
import { NetworkError } from './errors.js';

let loading;
let loaded = false;
let defaultSource;

/** Where `init()` looks without an argument (the classic script sets it). */
export function setDefaultSource(source) {
  defaultSource = source;
}

/** True once the wasm has loaded. */
export function isLoaded() {
  return loaded;
}

/**
 * Loads the wasm module once. Optional: the first use loads it for you.
 * @param {RequestInfo | URL | Response | BufferSource | WebAssembly.Module} [moduleOrUrl]
 * @returns {Promise<void>}
 */
export function init(moduleOrUrl) {
  if (!loading || moduleOrUrl !== undefined) {
    const source = moduleOrUrl === undefined ? defaultSource : moduleOrUrl;
    loading = initWasm(source === undefined ? undefined : { module_or_path: source });
    loading.then(
      () => { loaded = true; },
      () => { loading = undefined; },
    );
  }
  return loading.then(() => undefined);
}

const create = AlternativeClient.create;
AlternativeClient.create = async function (options) {
  try {
    await init();
  } catch (cause) {
    throw new NetworkError('partner-sdk could not load its wasm module', { cause });
  }
  return create.call(this, options);
};
