#!/usr/bin/env node
// Re-pins the SRI hashes the docs and demo pages show, from pkg/integrity.json (run it
// after `node scripts/build.mjs`): the README's script-tag snippet, the hash table and
// examples of docs/checkout-pages.md, and the pinned demo pages under www/.
//
// Line by line: a line that names exactly one file of pkg/integrity.json (as `…/name"`,
// "name", `name` in backticks…) and carries a `sha384-…` value gets that file's hash;
// in a table row, only the first cell counts.
// Nothing else in the files changes.
//
//   node scripts/readme-integrity.mjs          rewrites the files, prints what changed
//   node scripts/readme-integrity.mjs --check  changes nothing, exits 1 if a file is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The files whose `sha384-…` values follow the build. */
export const PINNED_FILES = ['README.md', 'docs/checkout-pages.md', 'www/pinned.html', 'www/trusted-types.html'];

const HASH = /sha384-[A-Za-z0-9+/]+={0,2}/g;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every pinned line's hash replaced by the one in `integrity` ({file: "sha384-…"}). */
export function pinText(text, integrity) {
  const names = Object.keys(integrity).map((name) => [name, new RegExp(`(^|[/\`"'\\s])${escape(name)}(?=[\`"'\\s]|$)`)]);
  return text
    .split('\n')
    .map((line) => {
      if (!HASH.test(line)) return line;
      HASH.lastIndex = 0;
      // A table row is about the file in its first cell, whatever else it mentions.
      const about = line.startsWith('|') ? line.split('|')[1] : line;
      const named = names.filter(([, re]) => re.test(about));
      if (named.length !== 1) return line; // no file, or several: not ours to guess
      return line.replace(HASH, integrity[named[0][0]]);
    })
    .join('\n');
}

/** Reads pkg/integrity.json (or `path`). */
export function readIntegrity(path = join(root, 'pkg/integrity.json')) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let integrity;
  try {
    integrity = readIntegrity();
  } catch (error) {
    console.error(`cannot read pkg/integrity.json (${error.message}): run node scripts/build.mjs first`);
    process.exit(1);
  }
  let stale = 0;
  for (const file of PINNED_FILES) {
    const path = join(root, file);
    let text;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const pinned = pinText(text, integrity);
    if (pinned === text) {
      console.log(`${file}: up to date`);
      continue;
    }
    stale += 1;
    if (check) {
      console.log(`${file}: stale`);
    } else {
      writeFileSync(path, pinned);
      console.log(`${file}: re-pinned`);
    }
  }
  if (check && stale) {
    console.error('run: node scripts/readme-integrity.mjs');
    process.exit(1);
  }
}
