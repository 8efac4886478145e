// npm run size: gzip -9 sizes of what ships in pkg/ (run `npm run build` first).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const pkg = new URL('../pkg/', import.meta.url).pathname;
const snippetDir = readdirSync(join(pkg, 'snippets'))[0];
const errors = `snippets/${snippetDir}/js/errors.js`;

/** Raw and gzip -9 bytes of one or more files, each compressed on its own as served. */
function measure(files) {
  return files.reduce(
    ([raw, gz], file) => {
      const bytes = readFileSync(join(pkg, file));
      return [raw + bytes.length, gz + gzipSync(bytes, { level: 9 }).length];
    },
    [0, 0],
  );
}

const esm = ['index.js', 'loader.js', 'partner_sdk.js', errors];
const rows = [
  ['wasm        partner_sdk_bg.wasm', ['partner_sdk_bg.wasm']],
  ['ESM JS      index + loader + glue + errors  ', esm],
  ['classic JS  partner-sdk.js', ['partner-sdk.js']],
  ['total, script-tag page (partner-sdk.js + wasm)', ['partner-sdk.js', 'partner_sdk_bg.wasm']],
  ['total, ESM page (ESM JS + wasm)', [...esm, 'partner_sdk_bg.wasm']],
];

const kb = (n) => `${(n / 1024).toFixed(1)} KB`.padStart(9);
console.log(`${'what ships'.padEnd(50)}${'raw'.padStart(9)}${'gzip -9'.padStart(10)}`);
for (const [label, files] of rows) {
  const [raw, gz] = measure(files);
  console.log(`${label.padEnd(50)}${kb(raw)} ${kb(gz)}   (${gz} B)`);
}
