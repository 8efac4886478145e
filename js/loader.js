// The one way an entry waits for its wasm: `init()` loads it once and every entry
// point awaits that same promise. A .wasm that cannot be fetched or compiled
// surfaces as NetworkError.
import { NetworkError } from './errors.js';

/**
 * A loader for one wasm module.
 * @param {(input: object) => Promise<unknown>} initWasm the wasm-bindgen init of that module
 * @param {() => URL} where the default location of its .wasm (beside the entry)
 */
export function loader(initWasm, where) {
  let loading;
  let loaded = false;
  /**
   * Loads the wasm once. Optional: the first use loads it for you.
   * @param {RequestInfo | URL | Response | BufferSource | WebAssembly.Module} [source]
   */
  function init(source) {
    if (!loading || (source !== undefined && !loaded)) {
      loading = initWasm({ module_or_path: source === undefined ? where() : source }).then(
        () => { loaded = true; },
        (cause) => {
          loading = undefined;
          throw new NetworkError('partner-sdk could not load its wasm module', { cause, code: 'NETWORK_ERROR' });
        },
      );
    }
    return loading;
  }
  return { init, isLoaded: () => loaded };
}
