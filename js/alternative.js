// AlternativeClient's JS face over its wasm class: `create` waits for the wasm, and
// the request methods are names for the one `__send` export (one Rust future serves
// them all, instead of one export and one state machine per method).

/**
 * @param {any} Client the wasm-bindgen class
 * @param {() => Promise<void>} load resolves once the checkout wasm is loaded
 */
export function prepare(Client, load) {
  const create = Client.create;
  Client.create = async function (options) {
    await load();
    return create.call(this, options);
  };
  return addMethods(Client);
}

/**
 * `request`, `get`, `post`, `put`, `patch` and `delete` on the prototype (once).
 * @param {any} Client the wasm-bindgen class
 */
export function addMethods(Client) {
  const p = Client.prototype;
  if (Object.hasOwn(p, 'request')) return Client;
  p.request = function (method, path, init) {
    return this.__send(method, path, undefined, false, init);
  };
  for (const name of ['get', 'delete']) {
    p[name] = function (path, init) {
      return this.__send(name.toUpperCase(), path, undefined, false, init);
    };
  }
  for (const name of ['post', 'put', 'patch']) {
    p[name] = function (path, body, init) {
      return this.__send(name.toUpperCase(), path, body, true, init);
    };
  }
  return Client;
}
