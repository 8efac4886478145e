// Figure 5, in-page half: one cold-start sample on a fresh page (run.mjs opens a new
// browser context per sample and disables the HTTP cache). `nonce` busts any other cache.
window.cold = {
  /** Script tag inserted → `PartnerSDK.AlternativeClient.create()` resolved. */
  async ours(nonce, accessToken) {
    const t0 = performance.now();
    const script = document.createElement('script');
    script.src = `/pkg/partner-sdk.js?cold=${nonce}`;
    const loaded = new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error('partner-sdk.js did not load'));
    });
    document.head.append(script);
    await loaded;
    const scriptMs = performance.now() - t0;
    const client = await window.PartnerSDK.AlternativeClient.create({ accessToken, baseUrl: location.origin });
    const ms = performance.now() - t0;
    client.destroy();
    // Where the time went, from Resource Timing (ms since the tag was inserted).
    const entry = (path) => performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === path);
    const js = entry('/pkg/partner-sdk.js');
    // partner-sdk.js starts this download itself, first thing (SafeSDK's module is not loaded).
    const wasm = entry('/pkg/checkout_bg.wasm');
    return {
      ms,
      scriptMs,
      jsFetchedMs: js ? js.responseEnd - t0 : null,
      wasmRequestedMs: wasm ? wasm.startTime - t0 : null,
      wasmFetchedMs: wasm ? wasm.responseEnd - t0 : null,
    };
  },

  /**
   * The floor: `compileStreaming` of the same .wasm the classic script loads
   * (checkout_bg.wasm), then `instantiate` with no-op imports (the glue's imports are not
   * exported; instantiating runs no wasm code, so no-ops suffice).
   */
  async bare(nonce) {
    const t0 = performance.now();
    const module = await WebAssembly.compileStreaming(fetch(`/pkg/checkout_bg.wasm?cold=${nonce}`));
    const compileMs = performance.now() - t0;
    const imports = {};
    for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
      if (kind !== 'function') throw new Error(`unexpected ${kind} import ${from}.${name}`);
      imports[from] ??= {};
      imports[from][name] = () => {};
    }
    await WebAssembly.instantiate(module, imports);
    const ms = performance.now() - t0;
    return { ms, compileMs };
  },
};
