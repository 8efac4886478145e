// Types of partner-sdk/gatekeeper (pkg/gatekeeper.js): the Gatekeeper device client and the errors, with only
// its own wasm module (gatekeeper_bg.wasm). Every type is the one of the main entry.
import type { CheckedInitInput, InitInput } from './index.js';

export type {
  InitInput, TokenCallback, TokenRefreshReason, TokenRefreshedEvent, CommonOptions, RetryOptions,
  SafeSDKOptions, InitializeResult, CheckStatus, CheckResult, PeriodicCheckResult,
  PartnerSdkErrorCode, PartnerSdkErrorOptions,
} from './index.js';
export {
  SafeSDK,
  PartnerSdkError, InvalidAccessToken, InvalidAccessTokenFormat, AccessTokenExpiredError,
  TokenRefreshTimeoutError, TokenRefreshError, ApiError, NetworkError, ConfigurationError,
  ClientDestroyedError, isPartnerSdkError,
} from './index.js';

/**
 * Loads this entry's wasm (gatekeeper_bg.wasm) once and resolves when it is ready. Optional:
 * the download starts on import. Pass a URL, a `Response`, bytes or a compiled
 * `WebAssembly.Module` when the `.wasm` is not hosted beside this file.
 *
 * @throws {NetworkError} (as a rejection) when the `.wasm` cannot be fetched (an HTTP error is
 *   named in the message; a download not finished after 60 s is abandoned) or compiled, code
 *   `INTEGRITY_MISMATCH` when its bytes are not this build's.
 * @throws {ConfigurationError} (as a rejection) for an argument that is none of these.
 */
export function init(): Promise<void>;
export function init<T extends InitInput | PromiseLike<InitInput> | undefined>(source: T & CheckedInitInput<T>): Promise<void>;

/**
 * Settles once this entry's wasm has loaded from beside the entry file. This entry waits for
 * it on import, so `new SafeSDK(...)` works once imported (and no `init()` can overtake
 * that load: with no `.wasm` beside the entry, await `init(url)` itself).
 */
export const ready: Promise<void>;
