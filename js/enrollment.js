// partner-sdk/enrollment: CardEnrollment (the vendor's hosted card form) and the
// errors, with only the enrollment wasm. The download starts when this module is
// evaluated; `openForm()` awaits it.
import initWasm, { EnrollmentSession } from './enrollment_glue.js';
import { besidePackage, loader } from './loader.js';
import { openCardForm } from './card-form.js';

// Bundlers see this `new URL(…, import.meta.url)` and ship the .wasm as an asset; the
// build for esbuild (pkg/*.embedded.js, scripts/build-embedded.mjs) carries its bytes.
const wasm = loader(initWasm, () => besidePackage(new URL('enrollment_bg.wasm', import.meta.url)), __ENROLLMENT_SHA384__);

/** Settles once the enrollment wasm has loaded (it starts loading on import). */
export const ready = wasm.init();
ready.catch(() => {});

/** Loads the enrollment wasm from `source` (URL, Response, bytes or a compiled module). */
export const init = (source) => wasm.init(source);

/** The hosted card form: card data is typed into a frame served by the vendor. */
export class CardEnrollment {
  /**
   * Validates `options`, then shows the vendor's card form; resolves to `{ close() }`
   * once the frame is in the page.
   */
  static async openForm(options) {
    await wasm.init();
    return openCardForm(EnrollmentSession.open(options), options);
  }
}

Object.defineProperty(CardEnrollment, 'name', { value: 'CardEnrollment' });

export * from './public-errors.js';
