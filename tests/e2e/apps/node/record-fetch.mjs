// Loaded with `node --import ./record-fetch.mjs`: records every fetch of the process.
const real = globalThis.fetch;
globalThis.__fetches = [];
globalThis.fetch = (input, init) => {
  globalThis.__fetches.push(String(input instanceof Request ? input.url : input));
  return real(input, init);
};
