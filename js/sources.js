// `init()` of the entries with every class (pkg/index.js, the global PartnerSDK): one
// source per class's wasm, `{ checkout, gatekeeper, enrollment }`, each optional.
import { ConfigurationError } from './errors.js';
import { unusable } from './loader.js';

const CLASSES = ['checkout', 'gatekeeper', 'enrollment'];

/**
 * `sources` checked: a URL or module given alone would say nothing of which class it
 * is for, so it is refused rather than ignored.
 * @throws {ConfigurationError} naming the unknown key, or `init` for a non-object
 */
function classSources(sources = {}) {
  // (Also an object from another frame; a URL, module or Response is not one.)
  const plain = Object.prototype.toString.call(sources) === '[object Object]';
  const bad = plain ? Object.keys(sources).find((key) => !CLASSES.includes(key)) : 'init';
  if (bad !== undefined) {
    throw new ConfigurationError(
      `invalid option \`${bad}\`: init() takes { checkout, gatekeeper, enrollment }`,
      { key: bad },
    );
  }
  // Each source read once and checked before any class's module is fetched: a refused
  // init() loads nothing.
  const read = {};
  for (const key of CLASSES) {
    read[key] = sources[key];
    if (read[key] !== undefined && unusable(read[key])) {
      throw new ConfigurationError(
        `invalid option \`${key}\`: must be a URL, Request, Response, BufferSource or WebAssembly.Module`,
        { key },
      );
    }
  }
  return read;
}

/**
 * `init(sources)` of those entries: `load` gets the checked sources; a wrong argument is
 * a rejection, as a failed load is, never a throw.
 * @param {unknown} sources
 * @param {(sources: { checkout?: unknown, gatekeeper?: unknown, enrollment?: unknown }) => Promise<void>} load
 */
export function initClasses(sources, load) {
  let read;
  try {
    read = classSources(sources);
  } catch (error) {
    // (A revoked Proxy or a getter that throws: not a sources object either.)
    return Promise.reject(error instanceof ConfigurationError ? error : new ConfigurationError(
      'invalid option `init`: init() takes { checkout, gatekeeper, enrollment }',
      { key: 'init', cause: error },
    ));
  }
  return load(read);
}
