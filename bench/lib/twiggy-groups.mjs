// Groups `twiggy top -f json` rows (a wasm built with names) by where the code comes from.
// Usage: node bench/lib/twiggy-groups.mjs top.json   (bench/profile-wasm.sh runs it once per
// class wasm: checkout_bg.wasm, gatekeeper_bg.wasm; symbols are legacy-mangled, see build.mjs)
import { readFileSync } from 'node:fs';

const GROUPS = [
  [/subsection|^custom section/, 'names + custom sections (not in the shipped wasm)'],
  [/^data segment/, 'data segments (.rodata: strings, tables)'],
  [/externref shim|multivalue shim/, 'wasm-bindgen export shims'],
  [/dlmalloc|talc::|__rdl_|__rust_(alloc|dealloc|realloc)|raw_vec/, 'allocator (talc, RawVec growth)'],
  [/slice_error_fail|panick|unwrap_failed|expect_failed|slice_index_fail|index_out_of_bounds|immediate_abort/, 'panic / bounds-check paths (should be ~0 with -Cpanic=immediate-abort)'],
  [/::fmt\b|fmt::|pad_integral|Formatter|str::count/, 'core::fmt'],
  [/serde_wasm_bindgen/, 'serde-wasm-bindgen'],
  [/partner_sdk::api/, 'partner_sdk::api (the exported classes: thin bindings)'],
  [/partner_sdk::web::(send|request|flight|session|timer)/, 'partner_sdk::web request loop (send, request, single flight, session, timers)'],
  [/partner_sdk::web/, 'partner_sdk::web (other: JS imports, errors, options, callbacks, device, storage)'],
  [/partner_sdk::core/, 'partner_sdk::core (jwt, url, options, rules, retry, clock)'],
  [/js_sys::futures|wasm_bindgen_futures|futures_/, 'futures (js-sys futures, queue, tasks)'],
  [/wasm_bindgen|__wbindgen|__wbg|closure|externref/, 'wasm-bindgen runtime + closures'],
  [/js_sys|web_sys/, 'js-sys / web-sys'],
  [/serde/, 'serde (other)'],
  [/^(import|export|table|elem|type|global|memory)\b/, 'wasm sections (imports, exports, types)'],
  [/alloc\[|alloc::|core\[|core::|std\[|std::/, 'core / alloc / std (other)'],
];

const rows = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const tidy = (name) => name.replace(/::h[0-9a-f]{16}/g, '').replace(/\[[0-9a-f]{16}\]/g, '');
const groups = new Map();
for (const { name, shallow_size: bytes } of rows) {
  const label = (GROUPS.find(([re]) => re.test(name)) ?? [null, 'other (unnamed code)'])[1];
  const g = groups.get(label) ?? { bytes: 0, items: [] };
  g.bytes += bytes;
  g.items.push([bytes, tidy(name)]);
  groups.set(label, g);
}
const total = rows.reduce((sum, r) => sum + r.shallow_size, 0);
console.log(`| group | bytes | share of ${total} | largest items |`);
console.log('| --- | ---: | ---: | --- |');
for (const [label, { bytes, items }] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes)) {
  const top = items.sort((a, b) => b[0] - a[0]).slice(0, 3).map(([b, n]) => `${n.slice(0, 60)} ${b}`).join('; ');
  console.log(`| ${label} | ${bytes} | ${((bytes / total) * 100).toFixed(1)} % | ${top} |`);
}
