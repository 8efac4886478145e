// What each exported client class shows a page, whatever the minifier did to it.

/**
 * Gives `Class` its public `name` (the minifier renames classes; `name` is what
 * `client.constructor.name` and Node's `console.log` show), and makes `free()` and
 * `[Symbol.dispose]()` (`using client = …`) the same as `destroy()`. wasm-bindgen's own
 * `free` would release the Rust object at once, after which every method throws a bare
 * "null pointer passed to rust"; destroyed instead, every later call rejects (or throws)
 * `ClientDestroyedError`, and the glue's `FinalizationRegistry` releases the memory once
 * the object is collected.
 * @param {any} Class a wasm-bindgen class with a `destroy()` method
 * @param {string} name its public name
 */
export function face(Class, name) {
  Object.defineProperty(Class, 'name', { value: name });
  const p = Class.prototype;
  p.free = function () {
    this.destroy();
  };
  if (Symbol.dispose) p[Symbol.dispose] = p.free;
  // `JSON.stringify(client)` (a log line, a state dump) shows what a page may see,
  // never the glue's pointer: AlternativeClient has its own; SafeSDK shows `deviceId`.
  if (!p.toJSON) {
    p.toJSON = function () {
      return { deviceId: this.deviceId };
    };
  }
  return Class;
}
