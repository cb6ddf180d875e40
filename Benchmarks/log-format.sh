#!/usr/bin/env bash
# The cost of serve's log formats to the fork-per-connection parent, side by side in one
# run: a baseline build's procctl serve (text, with and without --quiet) against this
# build's in text and JSON, in interleaved rounds, under procctl load.
#
#   Benchmarks/log-format.sh BASELINE_PROCCTL       e.g. a release build of main
#
# Knobs: ROUNDS (3), CONNECTIONS (3000). Prints, per variant, the median connections/s
# and the server's CPU time and minor page faults per connection (the parent's, from /proc),
# and each one's ratio to the baseline's same mode. stderr goes to a file, as a log would.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
baseline=${1:?usage: $0 BASELINE_PROCCTL}
ours="$root/.build/release/procctl"
[ -x "$ours" ] || (cd "$root" && swift build -c release --product procctl >/dev/null)
rounds=${ROUNDS:-3}
connections=${CONNECTIONS:-3000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ticks=$(getconf CLK_TCK)

variants=("base-text|$baseline|" "base-quiet|$baseline|--quiet"
          "text|$ours|" "text-quiet|$ours|--quiet"
          "json|$ours|--log-format json" "json-quiet|$ours|--log-format json --quiet")

measure() {  # name binary flags -> "rate cpu_us_per_connection faults_per_connection"
    local binary=$2 flags=$3 port pid line
    # shellcheck disable=SC2086
    "$binary" serve --port 0 $flags >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    for _ in $(seq 100); do line=$(head -n1 "$tmp/out" 2>/dev/null || true); [ -n "$line" ] && break; sleep 0.05; done
    port=${line##*:}
    local before after rate
    before=$(awk '{print $14 + $15, $10}' "/proc/$pid/stat")
    rate=$("$ours" load --port "$port" --connections "$connections" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["connections_per_s"])')
    after=$(awk '{print $14 + $15, $10}' "/proc/$pid/stat")
    kill -TERM "$pid"; wait "$pid" || true
    python3 -c "b = '$before'.split(); a = '$after'.split(); print($rate, (int(a[0]) - int(b[0])) * 1e6 / $ticks / $connections, (int(a[1]) - int(b[1])) / $connections)"
}

for round in $(seq "$rounds"); do
    for variant in "${variants[@]}"; do
        IFS='|' read -r name binary flags <<<"$variant"
        echo "$name $(measure "$name" "$binary" "$flags")" >>"$tmp/results"
    done
done

python3 - "$tmp/results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rate, cpu, faults = line.split()
    rows.setdefault(name, []).append((float(rate), float(cpu), float(faults)))
med = {n: tuple(statistics.median(x[i] for x in v) for i in range(3)) for n, v in rows.items()}
base = {"text": "base-text", "json": "base-text", "text-quiet": "base-quiet", "json-quiet": "base-quiet"}
print(f"{'variant':<12} {'conn/s':>9} {'cpu µs/conn':>12} {'faults/conn':>12} {'rate ratio':>11} {'cpu ratio':>10} {'fault ratio':>12}")
for name, (rate, cpu, faults) in med.items():
    b = med[base.get(name, name)]
    print(f"{name:<12} {rate:>9.0f} {cpu:>12.1f} {faults:>12.2f} {rate / b[0]:>11.3f} {cpu / b[1] if b[1] else 0:>10.3f} {faults / b[2] if b[2] else 0:>12.3f}")
PY
