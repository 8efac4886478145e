#!/usr/bin/env bash
# One idempotent set-up for `npm start` and `npm test`: installs what is missing,
# skips what is present. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_PACK_VERSION=0.15.1
# The wasm-bindgen CLI must match the crate pinned in Cargo.toml exactly.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)

say() { printf '[setup] %s\n' "$*"; }

# rust-toolchain.toml pins the compiler. Where the machine's stable toolchain is that
# very version, link it under the pinned name instead of downloading it again.
PINNED=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
if ! rustup toolchain list | grep -q "^$PINNED-"; then
  stable_dir="$(rustup +stable show home 2>/dev/null || echo "$HOME/.rustup")/toolchains/stable-$(uname -m)-unknown-linux-gnu"
  if [ "$(rustup run stable rustc --version 2>/dev/null | awk '{print $2}')" = "$PINNED" ] && [ -d "$stable_dir" ]; then
    say "linking the stable toolchain as $PINNED"
    rustup toolchain link "$PINNED" "$stable_dir"
  else
    say "installing toolchain $PINNED"
    rustup toolchain install "$PINNED" --profile minimal
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# build-std (scripts/build.mjs) compiles std from source for the shipped wasm.
if ! rustup component list --installed | grep -q '^rust-src'; then
  say "adding the rust-src component"
  rustup component add rust-src
fi

if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  say "installing wasm-pack $WASM_PACK_VERSION (a few minutes)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --force
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  say "installing Debian chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
fi

# npm ci only when node_modules is missing or older than the lock file.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi

say "ready: $(wasm-pack --version), $(wasm-bindgen --version), $(/usr/bin/chromium --version 2>/dev/null | head -n1)"
