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
# "" for fork per connection), SEND_PROXY (send-proxy-v2 or send-proxy), FLOOR (0; 1 also
# runs Benchmarks/proxy-floor.c, a minimal C prefork server, plainly and reading the
# send-proxy-v2 header, behind two more frontends of the same HAProxy, loaded in turn with
# the other two: its ratio is the floor, what the PROXY protocol costs with next to no
# server code; needs cc and SEND_PROXY=send-proxy-v2), FLOOR_WORKERS (the C server's
# workers; default MODEL's --workers, else 4).
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
floor=${FLOOR:-0}
floor_workers=${FLOOR_WORKERS:-}
if [ -z "$floor_workers" ]; then
    if [[ $model =~ --workers[=\ ]+([0-9]+) ]]; then floor_workers=${BASH_REMATCH[1]}; else floor_workers=4; fi
fi
if [ "$floor" = 1 ]; then
    command -v cc >/dev/null || { echo "proxy-protocol.sh: FLOOR=1 needs cc" >&2; exit 1; }
    [ "$send_proxy" = send-proxy-v2 ] || { echo "proxy-protocol.sh: FLOOR=1 needs SEND_PROXY=send-proxy-v2" >&2; exit 1; }
fi
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

# Waits for the server writing $work/serve-NAME.out to say it listens; prints its port.
listening_port() {
    local out="$work/serve-$1.out"
    for _ in $(seq 100); do
        if grep -q '^listening on' "$out"; then sed -n 's/^listening on 127.0.0.1://p' "$out"; return; fi
        sleep 0.1
    done
    echo "server $1 did not start: $(cat "$work/serve-$1.err")" >&2
    exit 1
}

# Starts procctl serve with extra arguments, its pid in pids (so not in a subshell).
start_server() {
    # shellcheck disable=SC2086
    "$procctl" serve --port 0 --quiet $model "${@:2}" >"$work/serve-$1.out" 2>"$work/serve-$1.err" &
    pids+=($!)
}

# Starts the C floor server with extra arguments ("proxy"), its pid in pids.
start_floor() {
    "$work/proxy-floor" 0 "$floor_workers" "${@:2}" >"$work/serve-$1.out" 2>"$work/serve-$1.err" &
    pids+=($!)
}

start_server plain
start_server proxy --proxy-protocol
plain_port=$(listening_port plain)
proxy_port=$(listening_port proxy)
front_plain=$(free_port)
front_proxy=$(free_port)
floor_cfg=
if [ "$floor" = 1 ]; then
    cc -O2 -Wall -o "$work/proxy-floor" "$root/Benchmarks/proxy-floor.c"
    start_floor floor-plain
    start_floor floor-proxy proxy
    floor_plain_port=$(listening_port floor-plain)
    floor_proxy_port=$(listening_port floor-proxy)
    front_floor_plain=$(free_port)
    front_floor_proxy=$(free_port)
    floor_cfg="frontend floor_plain
    bind 127.0.0.1:$front_floor_plain
    default_backend floor_plain
frontend floor_proxy
    bind 127.0.0.1:$front_floor_proxy
    default_backend floor_proxy
backend floor_plain
    server s 127.0.0.1:$floor_plain_port
backend floor_proxy
    server s 127.0.0.1:$floor_proxy_port $send_proxy"
fi
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
$floor_cfg
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
if [ "$floor" = 1 ]; then echo "floor: C prefork server (Benchmarks/proxy-floor.c), $floor_workers workers"; fi
plain=()
proxy=()
floor_plain=()
floor_proxy=()
for round in $(seq "$rounds"); do
    read -r p pf < <(load "$front_plain")
    read -r x xf < <(load "$front_proxy")
    plain+=("$p")
    proxy+=("$x")
    line="round $round: plain $p conn/s (failed $pf), PROXY $x conn/s (failed $xf)"
    if [ "$floor" = 1 ]; then
        read -r cp cpf < <(load "$front_floor_plain")
        read -r cx cxf < <(load "$front_floor_proxy")
        floor_plain+=("$cp")
        floor_proxy+=("$cx")
        line="$line; C plain $cp conn/s (failed $cpf), C PROXY $cx conn/s (failed $cxf)"
    fi
    echo "$line"
done
python3 - "${plain[*]}" "${proxy[*]}" "${floor_plain[*]}" "${floor_proxy[*]}" <<'PY'
import statistics, sys
plain = [float(v) for v in sys.argv[1].split()]
proxy = [float(v) for v in sys.argv[2].split()]
mp, mx = statistics.median(plain), statistics.median(proxy)
print(f"median: plain {mp:.0f} conn/s, PROXY {mx:.0f} conn/s, ratio PROXY/plain {mx / mp:.3f}")
if sys.argv[3]:
    floor_plain = [float(v) for v in sys.argv[3].split()]
    floor_proxy = [float(v) for v in sys.argv[4].split()]
    cp, cx = statistics.median(floor_plain), statistics.median(floor_proxy)
    print(f"median C: plain {cp:.0f} conn/s, PROXY {cx:.0f} conn/s, ratio PROXY/plain {cx / cp:.3f} (the floor)")
PY
