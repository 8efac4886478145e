// Figure 5, in-page half: one cold-start sample on a fresh page (run.mjs opens a new
// browser context per sample and disables the HTTP cache). `nonce` busts any other cache.
window.cold = {
  /**
   * Script tag inserted → `PartnerSDK.AlternativeClient.create()` resolved. With
   * `preloadIntegrity`, a `<link rel="preload" as="fetch" crossorigin>` of the checkout
   * wasm with that integrity is inserted at the same moment (a page following the docs).
   * `src`: another classic script defining `PartnerSDK.AlternativeClient` (figure 5's
   * embedded row, vendor/partner-sdk-embedded.js).
   */
  async ours(nonce, accessToken, preloadIntegrity, src = '/pkg/partner-sdk.js') {
    const t0 = performance.now();
    if (preloadIntegrity) {
      const link = document.createElement('link');
      link.rel = 'preload';
      link.href = '/pkg/checkout_bg.wasm';
      link.as = 'fetch';
      link.crossOrigin = 'anonymous';
      link.integrity = preloadIntegrity;
      document.head.append(link);
    }
    const script = document.createElement('script');
    script.src = `${src}?cold=${nonce}`;
    const loaded = new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${src} did not load`));
    });
    document.head.append(script);
    await loaded;
    const scriptMs = performance.now() - t0;
    const client = await window.PartnerSDK.AlternativeClient.create({ accessToken, baseUrl: location.origin });
    const ms = performance.now() - t0;
    client.destroy();
    // Where the time went, from Resource Timing (ms since the tag was inserted).
    const entries = (path) => performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname === path);
    const js = entries('/pkg/partner-sdk.js')[0];
    // partner-sdk.js starts this download itself, first thing (SafeSDK's module is not
    // loaded); with the preload, the link's request is the one (a second entry would mean
    // the script's fetch did not reuse it).
    const wasms = entries('/pkg/checkout_bg.wasm');
    const wasm = wasms[0];
    return {
      ms,
      scriptMs,
      jsFetchedMs: js ? js.responseEnd - t0 : null,
      wasmRequestedMs: wasm ? wasm.startTime - t0 : null,
      wasmFetchedMs: wasm ? wasm.responseEnd - t0 : null,
      wasmEntries: wasms.map((e) => e.initiatorType),
    };
  },

  /**
   * The floor of a script tag that fetches its wasm: script tag inserted → floor.js has
   * fetched (pinned with `integrity` when given), compiled and instantiated the same wasm.
   * Two downloads one after the other, as partner-sdk.js, with none of the SDK's own work.
   * With `src` /vendor/floor-embedded.js (written by run.mjs), the floor of a script that
   * carries the wasm inside it (base64): one larger download, decoded, compiled, instantiated.
   */
  async floor(nonce, integrity, src = '/floor.js') {
    const t0 = performance.now();
    const script = document.createElement('script');
    const query = new URLSearchParams({ cold: nonce });
    if (integrity) query.set('integrity', integrity);
    script.src = `${src}?${query}`;
    const loaded = new Promise((resolve, reject) => {
      script.onload = resolve;
      script.onerror = () => reject(new Error(`${src} did not load`));
    });
    document.head.append(script);
    await loaded;
    await window.floorDone;
    return { ms: performance.now() - t0 };
  },

  /**
   * The baseline: `compileStreaming` of the same .wasm the classic script loads
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
