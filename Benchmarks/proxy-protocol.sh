#!/usr/bin/env bash
# Throughput through HAProxy with and without the PROXY protocol, side by side in one run:
# two frontends of one HAProxy, one to `procctl serve` plainly, one with send-proxy-v2 (or
# send-proxy, v1) to `procctl serve --proxy-protocol`, loaded alternately by `procctl load`
# so that drift on a shared machine touches both alike; prints connections/s per round and
# the ratio of the medians (PROXY / plain).
#
#   Benchmarks/proxy-protocol.sh [PROCCTL]   (default: this tree's release build)
#
# Knobs: ROUNDS (5), CONNECTIONS (4000 per round), CONCURRENCY (8), MODEL ("--workers 4";
# "" for fork per connection), SEND_PROXY (send-proxy-v2 or send-proxy).
# Everything is on 127.0.0.1; every process started here is stopped by its pid.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
procctl=${1:-}
if [ -z "$procctl" ]; then
    (cd "$root" && swift build -c release --product procctl >&2)
    procctl="$root/.build/release/procctl"
fi
command -v haproxy >/dev/null || { echo "proxy-protocol.sh: skipped: haproxy is not in PATH" >&2; exit 0; }
rounds=${ROUNDS:-5}
connections=${CONNECTIONS:-4000}
concurrency=${CONCURRENCY:-8}
model=${MODEL---workers 4}
send_proxy=${SEND_PROXY:-send-proxy-v2}
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# A port nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts procctl serve with extra arguments; prints its port.
start_server() {
    local out="$work/serve-$1.out"
    # shellcheck disable=SC2086
    "$procctl" serve --port 0 --quiet $model "${@:2}" >"$out" 2>"$work/serve-$1.err" &
    pids+=($!)
    for _ in $(seq 100); do
        if grep -q '^listening on' "$out"; then sed -n 's/^listening on 127.0.0.1://p' "$out"; return; fi
        sleep 0.1
    done
    echo "procctl serve did not start: $(cat "$work/serve-$1.err")" >&2
    exit 1
}

plain_port=$(start_server plain)
proxy_port=$(start_server proxy --proxy-protocol)
front_plain=$(free_port)
front_proxy=$(free_port)
cat >"$work/haproxy.cfg" <<CFG
global
    maxconn 1024
defaults
    mode tcp
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend plain
    bind 127.0.0.1:$front_plain
    default_backend plain
frontend proxy
    bind 127.0.0.1:$front_proxy
    default_backend proxy
backend plain
    server s 127.0.0.1:$plain_port
backend proxy
    server s 127.0.0.1:$proxy_port $send_proxy
CFG
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
sleep 1

# One load run; prints connections/s.
load() {
    "$procctl" load --port "$1" --connections "$connections" --concurrency "$concurrency" --json |
        python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.0f %d" % (r["connections_per_s"], r["errors"] + r["unfinished"]))'
}

echo "model: ${model:-fork per connection}; $send_proxy; $connections connections x $rounds rounds, concurrency $concurrency"
plain=()
proxy=()
for round in $(seq "$rounds"); do
    read -r p pf < <(load "$front_plain")
    read -r x xf < <(load "$front_proxy")
    plain+=("$p")
    proxy+=("$x")
    echo "round $round: plain $p conn/s (failed $pf), PROXY $x conn/s (failed $xf)"
done
python3 - "${plain[*]}" "${proxy[*]}" <<'PY'
import statistics, sys
plain = [float(v) for v in sys.argv[1].split()]
proxy = [float(v) for v in sys.argv[2].split()]
mp, mx = statistics.median(plain), statistics.median(proxy)
print(f"median: plain {mp:.0f} conn/s, PROXY {mx:.0f} conn/s, ratio PROXY/plain {mx / mp:.3f}")
PY
