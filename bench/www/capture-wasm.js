// Bench-only: keeps every wasm instance the page creates, for figure 6's wasm memory.
// The SDK's wasm-bindgen glue is bundled inside pkg/checkout.js and does not export the
// instance, so WebAssembly.instantiateStreaming / instantiate are wrapped here. bench.js
// imports this module before the SDK: ES modules run in import order, so the wrappers are
// in place when checkout.js starts loading its wasm on import.
export const instances = [];

function keep(result) {
  // instantiate(module) resolves to an Instance; the other forms to { module, instance }.
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  instances.push(instance);
  return result;
}

const { instantiateStreaming, instantiate } = WebAssembly;
WebAssembly.instantiateStreaming = function (...args) {
  return instantiateStreaming.apply(this, args).then(keep);
};
WebAssembly.instantiate = function (...args) {
  return instantiate.apply(this, args).then(keep);
};

/** The instance's exported linear memory, whatever its export name (the build shortens names). */
export function memoryOf(instance) {
  return Object.values(instance.exports).find((value) => value instanceof WebAssembly.Memory) ?? null;
}

/** Linear memory of every instance kept so far, in bytes. */
export function wasmMemoryBytes() {
  return instances.reduce((sum, instance) => sum + (memoryOf(instance)?.buffer.byteLength ?? 0), 0);
}
