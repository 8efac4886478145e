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
  guard(p, Class, name);
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

/**
 * Every method and accessor of `p` refuses a `this` that is not an instance of `Class`
 * with a `TypeError`, as the platform's own methods do: the glue would hand the object's
 * pointer to the wasm as it is, and another class's object (its pointer into another
 * module's memory) or a detached method would read or write memory that is not one.
 */
function guard(p, Class, name) {
  const check = (key, f) => function (...args) {
    if (!(this instanceof Class) || !this.__wbg_ptr) {
      throw new TypeError(`Illegal invocation: ${name}.prototype.${String(key)} needs a ${name} as this`);
    }
    return f.apply(this, args);
  };
  for (const key of Reflect.ownKeys(p)) {
    const d = Object.getOwnPropertyDescriptor(p, key);
    if (key === 'constructor') continue;
    if (typeof d.value === 'function') d.value = check(key, d.value);
    if (d.get) d.get = check(key, d.get);
    if (d.set) d.set = check(key, d.set);
    Object.defineProperty(p, key, d);
  }
}
