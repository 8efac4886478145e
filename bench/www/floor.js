// Figure 5's floor for any script tag (cold.js `floor`): a classic script that does nothing
// but what partner-sdk.js must do at least, with none of its code: fetch the checkout wasm
// with its pin, compile and instantiate it (no-op imports, as the bare side). Its URL's
// `?integrity=` carries the pin; without it the fetch is unpinned.
(() => {
  const src = new URL(document.currentScript.src);
  const integrity = src.searchParams.get('integrity');
  const wasm = new URL('/pkg/checkout_bg.wasm', src);
  const started = fetch(wasm, integrity ? { integrity } : {});
  window.floorDone = (async () => {
    const module = await WebAssembly.compileStreaming(started);
    const imports = {};
    for (const { module: from, name } of WebAssembly.Module.imports(module)) {
      imports[from] ??= {};
      imports[from][name] = () => {};
    }
    await WebAssembly.instantiate(module, imports);
  })();
})();
