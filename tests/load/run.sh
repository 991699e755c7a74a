#!/usr/bin/env bash
# The HTTP load benchmark of BENCHMARKS.md: starts a release intake-server on loopback, runs
# wrk against the decide or the validate endpoint, and prints the throughput together with
# the CPU time the server and the client each spent per request (read from /proc and
# /usr/bin/time), which says what the figure would be on two cores not shared with anything
# else (this machine's cores are shared with other builds).
#
# Usage: tests/load/run.sh decide|validate|mix [seconds] [connections]
# Environment: SERVER (default target/release/intake-server), SERVER_CPUS and CLIENT_CPUS
# (taskset lists; default both "0,1": the server and wrk share the two cores), PORT (8098).
set -euo pipefail
cd "$(dirname "$0")/../.."

what=${1:?decide, validate or mix}
seconds=${2:-10}
connections=${3:-32}
server=${SERVER:-target/release/intake-server}
server_cpus=${SERVER_CPUS:-0,1}
client_cpus=${CLIENT_CPUS:-0,1}
port=${PORT:-8098}
base="http://127.0.0.1:$port/api/v1/programs/apr.visitor-visa"

case "$what" in
  decide) script=tests/load/decide.lua; url="$base/decide?on=2022-05-01" ;;
  validate) script=tests/load/validate.lua; url="$base/forms/imm5257/validate" ;;
  mix) script=tests/load/mix.lua; url="$base/decide?on=2022-05-01" ;;
  *) echo "decide, validate or mix, not $what" >&2; exit 2 ;;
esac

data=$(mktemp -d)
RUST_LOG=warn taskset -c "$server_cpus" "$server" --address "127.0.0.1:$port" --no-watch \
  --data "$data/store" >"$data/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
# Warm up (allocator, connections), then measure.
taskset -c "$client_cpus" wrk -t1 -c"$connections" -d2s -s "$script" "$url" >/dev/null

ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(cpu)
/usr/bin/time -f "client-cpu %U %S" -o "$data/time" \
  taskset -c "$client_cpus" wrk -t1 -c"$connections" -d"${seconds}s" -s "$script" "$url" \
  | tee "$data/wrk"
after=$(cpu)

requests=$(awk '/requests in/ {print $1}' "$data/wrk")
rate=$(awk '/Requests\/sec/ {print $2}' "$data/wrk")
read -r _ cu cs <"$data/time"
awk -v r="$requests" -v rate="$rate" -v s=$((after - before)) -v t="$ticks" -v cu="$cu" -v cs="$cs" '
  BEGIN {
    server = s / t / r * 1e6; client = (cu + cs) / r * 1e6;
    printf "%s requests/s; CPU per request: server %.1f us, client %.1f us\n", rate, server, client;
    printf "on 2 dedicated cores: %.0f requests/s with wrk on them too, %.0f with the client elsewhere\n",
      2e6 / (server + client), 2e6 / server;
  }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
