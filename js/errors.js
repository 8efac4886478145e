// The error classes of partner-sdk. Rust builds every error it throws through
// `makeError`, the one conversion point; users import the classes from the package.

const BRAND = Symbol.for('partner-sdk.error');

/** Base class of every error the SDK throws. */
export class PartnerSdkError extends Error {
  /**
   * @param {string} [message]
   * @param {{cause?: unknown, code?: string, status?: number, body?: unknown, requestId?: string | null, key?: string}} [options]
   */
  constructor(message, options = {}) {
    const Class = new.target;
    super(message || Class.defaultMessage, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = Class.errorName;
    this.code = options.code || Class.code;
    if (options.key !== undefined) this.key = options.key;
    if (options.status !== undefined) {
      this.status = options.status;
      this.body = options.body === undefined ? null : options.body;
      this.requestId = options.requestId == null ? null : options.requestId;
    }
  }

  /** True on every partner-sdk error, even one from another copy of the bundle. */
  get [BRAND]() {
    return true;
  }
}
PartnerSdkError.errorName = 'PartnerSdkError';
PartnerSdkError.code = 'PARTNER_SDK_ERROR';
PartnerSdkError.defaultMessage = 'partner-sdk error';

function define(name, code, defaultMessage) {
  const Class = class extends PartnerSdkError {};
  Object.defineProperty(Class, 'name', { value: name });
  Class.errorName = name;
  Class.code = code;
  Class.defaultMessage = defaultMessage;
  return Class;
}

/** The token is not a string, or is empty after trimming. */
export const InvalidAccessToken = define('InvalidAccessToken', 'INVALID_ACCESS_TOKEN', 'access token is invalid');
/** The token breaks a JWT shape rule; the message names the rule. */
export const InvalidAccessTokenFormat = define('InvalidAccessTokenFormat', 'INVALID_ACCESS_TOKEN_FORMAT', 'access token is not a well-formed JWT');
/** Refused with no token callback, or refused again after the one refresh. */
export const AccessTokenExpiredError = define('AccessTokenExpiredError', 'ACCESS_TOKEN_EXPIRED', 'the access token was refused and could not be refreshed');
/** The token callback did not settle within `refreshTimeoutMs`. */
export const TokenRefreshTimeoutError = define('TokenRefreshTimeoutError', 'TOKEN_REFRESH_TIMEOUT', 'the token callback did not settle within refreshTimeoutMs');
/** The token callback threw or rejected; the original is in `cause`. */
export const TokenRefreshError = define('TokenRefreshError', 'TOKEN_REFRESH_FAILED', 'the token callback threw or rejected');
/** Any other non-2xx answer: see `status`, `body` and `requestId`. */
export const ApiError = define('ApiError', 'API_ERROR', 'the API refused the request');
/** `fetch` failed (`NETWORK_ERROR`) or an attempt timed out (`REQUEST_TIMEOUT`). */
export const NetworkError = define('NetworkError', 'NETWORK_ERROR', 'the request failed before a response arrived');
/** Bad options, a bad path, or calls in the wrong order; `key` names the culprit. */
export const ConfigurationError = define('ConfigurationError', 'INVALID_CONFIGURATION', 'invalid configuration');
/** The client was destroyed. */
export const ClientDestroyedError = define('ClientDestroyedError', 'CLIENT_DESTROYED', 'the client was destroyed');

/** True when `error` is a partner-sdk error, from this copy of the bundle or another. */
export function isPartnerSdkError(error) {
  return typeof error === 'object' && error !== null && error[BRAND] === true;
}

const BY_CODE = {
  INVALID_ACCESS_TOKEN: InvalidAccessToken,
  INVALID_ACCESS_TOKEN_FORMAT: InvalidAccessTokenFormat,
  ACCESS_TOKEN_EXPIRED: AccessTokenExpiredError,
  TOKEN_REFRESH_TIMEOUT: TokenRefreshTimeoutError,
  TOKEN_REFRESH_FAILED: TokenRefreshError,
  API_ERROR: ApiError,
  NETWORK_ERROR: NetworkError,
  REQUEST_TIMEOUT: NetworkError,
  INVALID_CONFIGURATION: ConfigurationError,
  CLIENT_DESTROYED: ClientDestroyedError,
};

const TIMEOUT_MESSAGE = 'the request took longer than requestTimeoutMs';

/** @internal Called from Rust: builds the error for `code`. */
export function makeError(code, message, key, status, body, requestId, cause, hasCause) {
  const Class = BY_CODE[code] || PartnerSdkError;
  const options = { code, key, status, body, requestId };
  if (hasCause) options.cause = cause;
  if (!message && code === 'REQUEST_TIMEOUT') message = TIMEOUT_MESSAGE;
  if (!message && status !== undefined) message = 'the API answered with status ' + status;
  return new Class(message, options);
}

/** @internal Called from Rust: keeps a page callback's rejected promise from going unhandled. */
export function ignoreRejection(value) {
  try {
    // Reading `then` runs the page's getter, if it has one: inside the try too.
    if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') {
      value.then(undefined, () => {});
    }
  } catch {
    // a hostile thenable: nothing to do
  }
}
