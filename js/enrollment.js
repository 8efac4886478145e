// partner-sdk/enrollment: CardEnrollment (the vendor's hosted card form) and the
// errors, with only the enrollment wasm. The download starts when this module is
// evaluated; `openForm()` awaits it.
import initWasm, { EnrollmentSession } from './enrollment_glue.js';
import { besidePackage, loader } from './loader.js';
import { openCardForm } from './card-form.js';
import { ConfigurationError } from './errors.js';

// Bundlers see this `new URL(…, import.meta.url)` and ship the .wasm as an asset; the
// build for esbuild (pkg/*.embedded.js, scripts/build-embedded.mjs) carries its bytes.
const wasm = loader(initWasm, () => besidePackage(new URL('enrollment_bg.wasm', import.meta.url)), __ENROLLMENT_SHA384__);

/** Settles once the enrollment wasm has loaded (it starts loading on import), or rejects with the latest load's failure: an `init(source)` made meanwhile decides. */
export const ready = wasm.ready();
ready.catch(() => {});

/** Loads the enrollment wasm from `source` (URL, Response, bytes or a compiled module). */
export const init = (source) => wasm.init(source);

/** The hosted card form: card data is typed into a frame served by the vendor. */
export class CardEnrollment {
  /** Not constructed: `await CardEnrollment.openForm(options)` shows a form. */
  constructor() {
    throw new ConfigurationError(
      'open a form with `await CardEnrollment.openForm(options)`, not `new`',
      { key: 'CardEnrollment' },
    );
  }

  /**
   * Validates `options`, then shows the vendor's card form; resolves to `{ close() }`
   * once the frame is in the page.
   */
  static async openForm(options) {
    await wasm.init();
    const read = snapshot(options);
    return openCardForm(EnrollmentSession.open(read), read);
  }
}

/**
 * The options as they are now: each own key read once, so what is checked is what is
 * drawn (a getter cannot pass the check and then answer something else). A getter that
 * throws reads as `null`, a wrong type, as the check reads it; anything that is not an
 * object is passed on for the check to refuse.
 */
function snapshot(options) {
  try {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) return options;
    const read = Object.create(null);
    for (const key of Object.keys(options)) {
      try {
        read[key] = options[key];
      } catch {
        read[key] = null;
      }
    }
    return read;
  } catch {
    return options; // (a revoked Proxy: the check says why)
  }
}

Object.defineProperty(CardEnrollment, 'name', { value: 'CardEnrollment' });

export * from './public-errors.js';
