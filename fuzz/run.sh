#!/usr/bin/env bash
# Fuzzes every loader for a bounded time: fuzz/run.sh [SECONDS_EACH] (default 10).
# Needs cargo-fuzz (`cargo install cargo-fuzz`); works on stable Rust without a sanitizer
# (`-s none`): panics, overflows (debug assertions are on), aborts and hangs are found,
# and the two readers of customers.csv and of orders.csv must agree on every input.
# New inputs go to fuzz/corpus/TARGET (not committed); fuzz/seeds/TARGET start it off.
# A crash leaves its input in fuzz/artifacts/TARGET and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
targets=(customers orders complaints contacts answers tier_files policy encoding)
cargo fuzz build -s none
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log="fuzz/corpus/$t.log"
  if ! cargo fuzz run -s none "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz $t: FAILED (input in fuzz/artifacts/$t)"
    exit 1
  fi
  echo "fuzz $t: $(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1)"
done
