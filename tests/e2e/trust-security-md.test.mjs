// SECURITY.md backs each token promise with named tests: every one it names must exist,
// so the list cannot silently rot when tests are renamed or removed. (No browser.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { root } from './helpers.mjs';

/** Every .rs / .mjs file under tests/, as one text per file. */
function testSources() {
  const out = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'screenshots', 'apps'].includes(entry.name)) walk(path);
      } else if (/\.(rs|mjs)$/.test(entry.name)) out.set(path.slice(root.length), readFileSync(path, 'utf8'));
    }
  };
  walk(join(root, 'tests'));
  return out;
}

test('SECURITY.md: every test it cites for a token promise exists', () => {
  const doc = readFileSync(join(root, 'SECURITY.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## What we promise about tokens'));
  const rows = table.split('\n').filter((l) => l.startsWith('| **'));
  assert.ok(rows.length >= 6, 'the promise table has rows');
  const sources = testSources();
  const all = [...sources.values()].join('\n');
  let cited = 0;
  for (const row of rows) {
    const tests = row.split('|')[2];
    assert.ok(/tests\//.test(tests), `each promise names at least one test: ${row.slice(0, 80)}`);
    // `tests/x.rs: fn_a`, `fn_b` … and `tests/e2e/x.mjs: "a test name"`.
    for (const span of tests.matchAll(/`([^`]+)`/g)) {
      const text = span[1];
      const file = /^(tests\/[\w/.-]+\.(?:rs|mjs))(?::\s*(.+))?$/.exec(text);
      if (file) {
        if (file[1].endsWith('.mjs')) assert.ok(existsSync(join(root, file[1])), `${file[1]} exists`);
        const name = file[2];
        if (!name) continue;
        cited += 1;
        if (name.startsWith('"')) {
          const title = name.replace(/^"|"$/g, '');
          assert.ok(readFileSync(join(root, file[1]), 'utf8').includes(title), `${file[1]} has the test "${title}"`);
        } else {
          assert.match(all, new RegExp(`fn ${name}\\b`), `a test function ${name} exists under tests/ (cited with ${file[1]})`);
        }
      } else if (/^[a-z][a-z0-9_]+$/.test(text) && text.includes('_')) {
        cited += 1;
        assert.match(all, new RegExp(`fn ${text}\\b`), `a test function ${text} exists under tests/`);
      }
    }
  }
  assert.ok(cited >= 10, `SECURITY.md cites ${cited} tests by name`);
});
