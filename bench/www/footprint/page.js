// Figure 1 pages, shared part (a classic script, loaded first on every footprint page).
// Each page makes one real call through the SDK and then sets `window.footprint` to
// `{ ok, ... }`; bench/lib/size.mjs records every response the page fetched meanwhile.
// Tokens come from the sandbox's test controls (not under /pkg/, so not counted).
window.footprintPage = {
  async mint(kind) {
    const body = kind === 'checkout' ? { kind, invoiceId: 'inv_1001', ttl: 3600 } : { kind, ttl: 3600 };
    const response = await fetch('/__sandbox/mint', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`/__sandbox/mint answered ${response.status}`);
    return (await response.json()).token;
  },
  /** Runs `call`, then reports its outcome to the driver through `window.footprint`. */
  run(call) {
    call().then(
      (result) => { window.footprint = { ok: true, ...result }; },
      (error) => { window.footprint = { ok: false, error: `${error && error.name}: ${error && error.message}` }; },
    );
  },
};
