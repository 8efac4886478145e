// The entries with the .wasm inside (pkg/*.embedded.js, the `browser` condition that
// esbuild resolves): they carry exactly the bytes of pkg/<class>_bg.wasm, and the pin
// still holds: one data byte of the embedded module changed is refused with NetworkError /
// INTEGRITY_MISMATCH. Runs in Node (WebCrypto and WebAssembly are there); no browser.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cleanUp, snapshotPkg, tamperWasm } from './trust-kit.mjs';

let pkg;
before(async () => { pkg = await snapshotPkg(); });
after(cleanUp);

for (const name of ['checkout', 'gatekeeper', 'enrollment']) {
  test(`pkg/${name}.embedded.js carries pkg/${name}_bg.wasm and its pin`, () => {
    const entry = readFileSync(join(pkg.dir, `${name}.embedded.js`), 'utf8');
    const wasm = readFileSync(join(pkg.dir, `${name}_bg.wasm`));
    assert.ok(entry.includes(JSON.stringify(wasm.toString('base64'))), 'the base64 of the .wasm');
    assert.ok(entry.includes(pkg.integrity[`${name}_bg.wasm`]), 'the SHA-384 of the .wasm');
  });

  test(`pkg/${name}.embedded.js loads its own bytes; one byte changed: INTEGRITY_MISMATCH`, async () => {
    const good = await import(pathToFileURL(join(pkg.dir, `${name}.embedded.js`)).href);
    await good.ready;

    const wasm = readFileSync(join(pkg.dir, `${name}_bg.wasm`));
    const entry = readFileSync(join(pkg.dir, `${name}.embedded.js`), 'utf8');
    const bad = join(pkg.dir, `${name}.tampered.js`);
    writeFileSync(bad, entry.replace(wasm.toString('base64'), tamperWasm(wasm).toString('base64')));
    const tampered = await import(pathToFileURL(bad).href);
    const error = await tampered.ready.then(() => null, (e) => e);
    assert.ok(error instanceof tampered.NetworkError, `a NetworkError, not ${error}`);
    assert.equal(error.code, 'INTEGRITY_MISMATCH');
  });
}
