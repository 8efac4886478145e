// Shared by the trust-*.test.mjs suites (issue 14): a consistent snapshot of pkg/, a
// served copy of www/ whose pinned pages carry this build's hashes, and tampered copies.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { root } from './helpers.mjs';
import { pinText } from '../../scripts/readme-integrity.mjs';

/** `sha384-<base64>` of `bytes`, as `integrity` attributes and pkg/integrity.json spell it. */
export const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

const temps = [];
/** A fresh temporary directory, removed by `cleanUp()`. */
export function tempDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `partner-sdk-${name}-`));
  temps.push(dir);
  return dir;
}
export function cleanUp() {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A copy of pkg/ whose files all match its integrity.json (another build may be
 * rewriting pkg/ meanwhile: retried for up to a minute).
 */
export async function snapshotPkg() {
  let why = '';
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const dir = tempDir('pkg');
    try {
      cpSync(join(root, 'pkg'), dir, { recursive: true });
      const integrity = JSON.parse(readFileSync(join(dir, 'integrity.json'), 'utf8'));
      const wrong = Object.entries(integrity).filter(([file, hash]) => sri(readFileSync(join(dir, file))) !== hash);
      if (wrong.length === 0 && integrity['partner-sdk.js'] && integrity['checkout_bg.wasm']) return { dir, integrity };
      why = `files that do not match integrity.json: ${wrong.map(([f]) => f).join(', ')}`;
    } catch (error) {
      why = error.message;
    }
    rmSync(dir, { recursive: true, force: true });
    await sleep(2000);
  }
  throw new Error(`pkg/ is not a complete build (${why}): run node scripts/build.mjs`);
}

/** A copy of www/ whose pinned pages carry `integrity`'s hashes, plus `extra` files. */
export function wwwCopy(integrity, extra = {}) {
  const dir = tempDir('www');
  cpSync(join(root, 'www'), dir, { recursive: true });
  for (const page of ['pinned.html', 'trusted-types.html']) {
    const path = join(dir, page);
    writeFileSync(path, pinText(readFileSync(path, 'utf8'), integrity));
  }
  for (const [name, bytes] of Object.entries(extra)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return dir;
}

/**
 * `bytes` of a .wasm with one *data* byte changed: the first "access token" of an error
 * message becomes "access tokeN". The module still compiles; only its hash differs.
 */
export function tamperWasm(bytes) {
  const at = Buffer.from(bytes).indexOf('access token');
  assert.ok(at > 0, 'the .wasm holds the message "access token"');
  const out = Buffer.from(bytes);
  out[at + 11] = 'N'.charCodeAt(0);
  assert.ok(WebAssembly.validate(out), 'the tampered .wasm still compiles');
  assert.notEqual(sri(out), sri(bytes));
  return out;
}

/** `bytes` of a script with one byte of a message changed (still valid JavaScript). */
export function tamperJs(bytes) {
  const text = Buffer.from(bytes);
  const at = text.indexOf('could not load its wasm module');
  assert.ok(at > 0, 'the script holds the message "could not load its wasm module"');
  text[at] = 'C'.charCodeAt(0);
  return text;
}
