#!/usr/bin/env bash
# Where each class's wasm bytes go. For each class (checkout, gatekeeper): the release wasm
# exactly as scripts/build.mjs builds it (same cargo features, -Zbuild-std, RUSTFLAGS and
# pinned toolchain), then wasm-bindgen and wasm-opt -Oz (what ships) and -Oz -g (names
# kept, for twiggy), into bench/tmp/wasm-profile/<class>/. The -Oz twin is compared with
# pkg/<class>_bg.wasm. Cargo builds into its own target dir (target/profile-wasm), so it
# never races `npm run build` for target/wasm32-unknown-unknown/release/partner_sdk.wasm;
# the first run rebuilds std (a few minutes). Needs ~/.cargo/bin/twiggy and wasm-bindgen.
# Usage: bash bench/profile-wasm.sh [checkout|gatekeeper|enrollment]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

classes=("$@")
[ ${#classes[@]} -gt 0 ] || classes=(checkout gatekeeper)
twiggy=${TWIGGY:-$HOME/.cargo/bin/twiggy}
wasm_opt=node_modules/.bin/wasm-opt
target_dir=target/profile-wasm
# Keep in step with the env of scripts/build.mjs.
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Csymbol-mangling-version=legacy'

strip_hashes() { sed 's/::h[0-9a-f]\{16\}//g; s/\[[0-9a-f]\{16\}\]//g'; }

for class in "${classes[@]}"; do
  case "$class" in checkout | gatekeeper | enrollment) ;; *) echo "unknown class: $class" >&2; exit 2 ;; esac
  out=bench/tmp/wasm-profile/$class
  mkdir -p "$out"
  echo "=== $class"
  cargo build --lib --release --target wasm32-unknown-unknown --target-dir "$target_dir" \
    --no-default-features --features "$class" -Zbuild-std=std,panic_abort
  cp "$target_dir/wasm32-unknown-unknown/release/partner_sdk.wasm" "$out/raw.wasm"
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "$class" "$out/raw.wasm"
  "$wasm_opt" "$out/${class}_bg.wasm" -Oz -o "$out/oz.wasm"
  "$wasm_opt" "$out/${class}_bg.wasm" -Oz -g -o "$out/oz-g.wasm"
  if cmp -s "$out/oz.wasm" "pkg/${class}_bg.wasm"; then
    echo "-Oz rebuild is byte-identical to pkg/${class}_bg.wasm: the profile is of what ships"
  else
    echo "warning: -Oz rebuild differs from pkg/${class}_bg.wasm (stale pkg/, or src/ changed since the build?)" >&2
  fi
  "$twiggy" top -n 30 "$out/oz-g.wasm" | strip_hashes
  "$twiggy" dominators -d 3 -r 25 "$out/oz-g.wasm" | strip_hashes
  "$twiggy" top -n 5000 -f json "$out/oz-g.wasm" >"$out/top.json"
  node bench/lib/twiggy-groups.mjs "$out/top.json"
done
