#!/usr/bin/env bash
# Throughput through HAProxy with and without the PROXY protocol, side by side in one run:
# two frontends of one HAProxy, one to `procctl serve` plainly, one with send-proxy-v2 (or
# send-proxy, v1) to `procctl serve --proxy-protocol`, loaded alternately by `procctl load`
# so that drift on a shared machine touches both alike; prints connections/s per round and
# the ratio of the medians (PROXY / plain).
#
# It also prints, per run, on-CPU microseconds per connection of the server (its process
# tree: every thread of the master and of its children, from /proc/PID/task/*/schedstat,
# plus the children it reaped, from cutime + cstime) and of HAProxy (all its threads), read
# just before and after the run and divided by the connections it made; then their medians
# and the header's cost, PROXY minus plain (HAProxy's over all PROXY runs against all plain
# ones). Where HAProxy and the load share the cores the rates swing by much more than the
# PROXY protocol costs; CPU time spent per connection hardly depends on that contention.
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

clk_tck=$(getconf CLK_TCK)
# On-CPU nanoseconds so far of process $1 and its children: every thread's (the first field
# of schedstat) and those of the children they reaped (cutime + cstime, in clock ticks; the
# per-connection children of MODEL="").
cpu_ns() {
    local pid f ns=0 run stat st
    for pid in "$1" $(pgrep -P "$1" || true); do
        for f in /proc/"$pid"/task/*/schedstat; do
            { read -r run _ <"$f" && ns=$((ns + run)); } 2>/dev/null || true
        done
        { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || continue
        read -r -a st <<<"${stat##*) }"   # from field 3, state: cutime, cstime are 13, 14
        ns=$((ns + (st[13] + st[14]) * 1000000000 / clk_tck))
    done
    echo "$ns"
}

start_server plain
plain_pid=${pids[-1]}
start_server proxy --proxy-protocol
proxy_pid=${pids[-1]}
plain_port=$(listening_port plain)
proxy_port=$(listening_port proxy)
front_plain=$(free_port)
front_proxy=$(free_port)
floor_cfg=
if [ "$floor" = 1 ]; then
    cc -O2 -Wall -o "$work/proxy-floor" "$root/Benchmarks/proxy-floor.c"
    start_floor floor-plain
    floor_plain_pid=${pids[-1]}
    start_floor floor-proxy proxy
    floor_proxy_pid=${pids[-1]}
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
haproxy_pid=$!
sleep 1

# One load run through frontend port $1 to the server of pid $2; prints connections/s,
# failed connections, and on-CPU us per connection made (ok or failed) of the server and of
# HAProxy.
load() {
    local s0 h0 s1 h1 json
    s0=$(cpu_ns "$2")
    h0=$(cpu_ns "$haproxy_pid")
    json=$("$procctl" load --port "$1" --connections "$connections" --concurrency "$concurrency" --json) || true
    s1=$(cpu_ns "$2")
    h1=$(cpu_ns "$haproxy_pid")
    python3 -c 'import json,sys
r = json.loads(sys.argv[1]); made = r["ok"] + r["errors"]
us = lambda a, b: "%.1f" % ((int(b) - int(a)) / made / 1000) if made else "nan"
print("%.0f %d %s %s" % (r["connections_per_s"], r["errors"] + r["unfinished"], us(*sys.argv[2:4]), us(*sys.argv[4:6])))' \
        "$json" "$s0" "$s1" "$h0" "$h1"
}

echo "model: ${model:-fork per connection}; $send_proxy; $connections connections x $rounds rounds, concurrency $concurrency"
if [ "$floor" = 1 ]; then echo "floor: C prefork server (Benchmarks/proxy-floor.c), $floor_workers workers"; fi
plain=()
proxy=()
floor_plain=()
floor_proxy=()
cpu=()   # per run: "variant server_us haproxy_us"
for round in $(seq "$rounds"); do
    read -r p pf ps ph < <(load "$front_plain" "$plain_pid")
    read -r x xf xs xh < <(load "$front_proxy" "$proxy_pid")
    plain+=("$p")
    proxy+=("$x")
    cpu+=("plain $ps $ph" "PROXY $xs $xh")
    line="round $round: plain $p conn/s (failed $pf), PROXY $x conn/s (failed $xf)"
    us="  on CPU, us/conn (server, HAProxy): plain $ps, $ph; PROXY $xs, $xh"
    if [ "$floor" = 1 ]; then
        read -r cp cpf cps cph < <(load "$front_floor_plain" "$floor_plain_pid")
        read -r cx cxf cxs cxh < <(load "$front_floor_proxy" "$floor_proxy_pid")
        floor_plain+=("$cp")
        floor_proxy+=("$cx")
        cpu+=("C-plain $cps $cph" "C-PROXY $cxs $cxh")
        line="$line; C plain $cp conn/s (failed $cpf), C PROXY $cx conn/s (failed $cxf)"
        us="$us; C plain $cps, $cph; C PROXY $cxs, $cxh"
    fi
    echo "$line"
    echo "$us"
done
python3 - "${plain[*]}" "${proxy[*]}" "${floor_plain[*]}" "${floor_proxy[*]}" "${cpu[@]}" <<'PY'
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
server, haproxy = {}, {}
for run in sys.argv[5:]:
    variant, s, h = run.split()
    server.setdefault(variant, []).append(float(s))
    haproxy.setdefault(variant, []).append(float(h))
ms = {v: statistics.median(l) for v, l in server.items()}
mh = {v: statistics.median(l) for v, l in haproxy.items()}
print("median on CPU, us/conn (server, HAProxy): "
      + "; ".join(f"{v.replace('-', ' ')} {ms[v]:.1f}, {mh[v]:.1f}" for v in server))
pooled = lambda kind: statistics.median(h for v, l in haproxy.items() if v.endswith(kind) for h in l)
cost = f"header cost: procctl {ms['PROXY'] - ms['plain']:+.1f} us"
if "C-plain" in ms:
    cost += f", C {ms['C-PROXY'] - ms['C-plain']:+.1f} us"
print(f"{cost}, HAProxy {pooled('PROXY') - pooled('plain'):+.1f} us (per connection, medians)")
PY
