#!/usr/bin/env bash
# Durable submits over HTTP (BENCHMARKS.md): runs the `http_submit_load` example and prints,
# next to its rate and latencies, how both cores spent the timed part (from /proc/stat), so
# that idle cores (waits on a lock or the disk) show apart from busy ones.
#
# Usage: tests/load/submits.sh [clients] [submits]
# Environment: BIN (default target/release/examples/http_submit_load; build it with
# `cargo build --release -p server --example http_submit_load`). To compare two builds, copy
# each binary aside and run them in turn, old, new, old, new: the machine's speed drifts.
set -euo pipefail
cd "$(dirname "$0")/../.."

clients=${1:-16}
submits=${2:-5000}
bin=${BIN:-target/release/examples/http_submit_load}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$bin" --clients "$clients" --submits "$submits" >"$out" 2>&1 &
pid=$!
# The set-up (signing up, storing the applications) is not timed: wait for its line.
until grep -q "^set up" "$out"; do
  kill -0 "$pid" 2>/dev/null || { cat "$out"; exit 1; }
  sleep 0.05
done
before=$(head -1 /proc/stat)
wait "$pid"
after=$(head -1 /proc/stat)
tail -1 "$out"
# /proc/stat's first line: cpu user nice system idle iowait irq softirq steal …
echo "$before $after" | awk '{
  n = (NF - 2) / 2;
  for (i = 2; i <= n + 1; i++) { d[i] = $(i + n + 1) - $i; t += d[i] }
  printf "cores: user %.0f%%, system %.0f%%, idle %.0f%%, iowait %.0f%%, softirq %.0f%%, steal %.0f%%\n",
    100 * d[2] / t, 100 * d[4] / t, 100 * d[5] / t, 100 * d[6] / t, 100 * d[8] / t, 100 * d[9] / t
}'
