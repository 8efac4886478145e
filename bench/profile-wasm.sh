#!/usr/bin/env bash
# Where the wasm's bytes go: rebuild the release wasm (same as npm run build) with wasm-opt
# -Oz -g, so names are kept, into bench/tmp/, then twiggy. Needs `npm run build` first
# (it leaves target/wasm32-unknown-unknown/release/partner_sdk.wasm) and ~/.cargo/bin/twiggy.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/tmp/wasm-profile
mkdir -p "$out"
raw=target/wasm32-unknown-unknown/release/partner_sdk.wasm
wasm-bindgen --target web --out-dir "$out" --out-name partner_sdk "$raw"
node_modules/.bin/wasm-opt "$out/partner_sdk_bg.wasm" -Oz -o "$out/oz.wasm"
node_modules/.bin/wasm-opt "$out/partner_sdk_bg.wasm" -Oz -g -o "$out/oz-g.wasm"
if cmp -s "$out/oz.wasm" pkg/partner_sdk_bg.wasm; then
  echo "-Oz rebuild is byte-identical to pkg/partner_sdk_bg.wasm: the profile is of what ships"
else
  echo "warning: -Oz rebuild differs from pkg/ (stale target/ or pkg/?)" >&2
fi
twiggy=${TWIGGY:-$HOME/.cargo/bin/twiggy}
"$twiggy" top -n 30 "$out/oz-g.wasm" | sed 's/::h[0-9a-f]\{16\}//g; s/\[[0-9a-f]\{16\}\]//g'
"$twiggy" dominators -d 3 -r 25 "$out/oz-g.wasm" | sed 's/::h[0-9a-f]\{16\}//g; s/\[[0-9a-f]\{16\}\]//g'
"$twiggy" top -n 5000 -f json "$out/oz-g.wasm" >"$out/top.json"
node bench/lib/twiggy-groups.mjs "$out/top.json"
