#!/usr/bin/env bash
# npm run fuzz: each cargo-fuzz target for a bounded time (FUZZ_SECONDS each, default
# 100), seeded from fuzz/corpus/<target>; new inputs go to a temp dir, not the repo.
# Prints the executions per target and the total. Not part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-100}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "[fuzz] installing cargo-fuzz"
  cargo install cargo-fuzz
fi
# cargo-fuzz needs -Z flags (sanitizers); RUSTC_BOOTSTRAP lets the stable toolchain take them.
export RUSTC_BOOTSTRAP=1

total=0
for target in token_parser options refresh_decision; do
  work=$(mktemp -d)
  log=$(mktemp)
  (cd fuzz && cargo fuzz run "$target" "$work" "corpus/$target" -- \
      -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=5) >"$log" 2>&1 || {
    tail -n 40 "$log"; echo "[fuzz] $target FAILED (artifacts in fuzz/artifacts/$target)"; exit 1; }
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n1)
  echo "[fuzz] $target: ${runs:-0} executions in ${SECONDS_EACH}s, no crash"
  total=$((total + ${runs:-0}))
  rm -rf "$work" "$log"
done
echo "[fuzz] total: $total executions"
