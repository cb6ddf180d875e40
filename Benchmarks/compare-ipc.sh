#!/usr/bin/env bash
# IPC side by side, in one run: procctl bench ipc (Connection, ProcessQueue, SharedValue's
# lock, and raw pipes and socketpairs in the same binary) against the anchors' run ipc (C
# pipe and socketpair loops, Python's Pipe and Queue) and Python's Value with its lock.
#
#   Benchmarks/compare-ipc.sh          (also run by compare.sh)
#
# Knobs: COMPARE_IPC_ROUNDS (3): runs of each side, alternated; the table shows medians.
# COMPARE_IPC_N (20000): round trips per anchor run. SHARED: where the anchors are.
# PROCCTL: a built procctl to use (else it builds one in release mode).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}
anchors="$shared/anchors/run"
if [ ! -x "$anchors" ]; then
    echo "compare-ipc.sh: skipped: no anchors at $shared/anchors (../shared beside the repository)" >&2
    exit 0
fi
command -v python3 >/dev/null || { echo "compare-ipc.sh: skipped: python3 (needed by the anchors) is missing" >&2; exit 0; }
rounds=${COMPARE_IPC_ROUNDS:-3}
n=${COMPARE_IPC_N:-20000}
work=$(mktemp -d /tmp/procctl-compare-ipc.XXXXXX)
trap 'rm -rf "$work"' EXIT
note() { echo "compare-ipc.sh: $*" >&2; }

procctl=${PROCCTL:-}
if [ -z "$procctl" ]; then
    note "building procctl (release)"
    (cd "$root" && swift build -c release --product procctl >"$work/build.log" 2>&1) || { cat "$work/build.log" >&2; exit 1; }
    procctl="$(cd "$root" && swift build -c release --show-bin-path)/procctl"
fi
"$anchors" build >/dev/null

for round in $(seq "$rounds"); do
    note "round $round/$rounds: the anchors' run ipc $n"
    "$anchors" ipc "$n" > "$work/anchor-$round.txt" 2>&1 || true
    note "round $round/$rounds: procctl bench ipc"
    "$procctl" bench ipc --json > "$work/bench-$round.json"
    note "round $round/$rounds: Python's Value with its lock"
    python3 - > "$work/value-$round.txt" <<'PY'
import multiprocessing as mp, time
ctx = mp.get_context('fork')
v = ctx.Value('q', 0); n = 200000
t0 = time.perf_counter()
for _ in range(n):
    with v.get_lock(): v.value += 1
print(f"{(time.perf_counter() - t0) / n * 1e6:.3f}")
PY
done

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r)"
python3 - "$work" "$rounds" "$machine" <<'PY'
import json, re, statistics, sys
work, rounds, machine = sys.argv[1], int(sys.argv[2]), sys.argv[3]
anchor = {}; bench = []; value = []
patterns = {
    "c_pipe_rt": r"pipe round trip, 64 B: \d+ rounds, ([\d.]+) us", "c_socketpair_rt": r"socketpair round trip, 64 B: \d+ rounds, ([\d.]+) us",
    "c_pipe_mb": r"pipe one way, 64 KiB messages: ([\d.]+) MB/s", "c_socketpair_mb": r"socketpair one way, 64 KiB messages: ([\d.]+) MB/s",
    "py_pipe_rt": r"python Pipe send/recv round trip, 64 B: ([\d.]+) us", "py_pipe_bytes_rt": r"python Pipe send_bytes/recv_bytes round trip, 64 B: ([\d.]+) us",
    "py_queue_rt": r"python Queue put/get round trip, 64 B: ([\d.]+) us",
}
for r in range(1, rounds + 1):
    text = open(f"{work}/anchor-{r}.txt").read()
    for key, pattern in patterns.items():
        # The C lines start with their channel's name ("pipe ...", "socketpair ...").
        m = re.search(("^" if key.startswith("c_") else "") + pattern, text, re.M)
        if m: anchor.setdefault(key, []).append(float(m.group(1)))
    bench.append(json.load(open(f"{work}/bench-{r}.json")))
    value.append(float(open(f"{work}/value-{r}.txt").read()))
med = statistics.median
a = {k: med(v) for k, v in anchor.items()}
b = lambda section, key: med([x[section][key] for x in bench])
rt = {k: b("round_trip_us", k) for k in bench[0]["round_trip_us"]}
mb = {k: b("throughput_mb_s", k) for k in bench[0]["throughput_mb_s"]}
lk = {k: b("lock_us", k) for k in bench[0]["lock_us"]}
# Ratios within each round (procctl's own rows), medians over the rounds.
within = lambda section, x, y: med([r[section][x] / r[section][y] for r in bench])
print(f"IPC: procctl bench ipc beside the anchors' run ipc: {machine}")
print(f"(medians of {rounds} alternated runs of each; 'same binary' ratios taken within each bench run)")
print()
def row(title, value, unit, ratios="", decimals=1):
    print(f"{title:<52}{value:>10.{decimals}f} {unit:<5} {ratios}")
f = lambda x: f"{x:.2f}x" if x >= 0.1 else f"{x:.3f}x"
print(f"{'round trip, 64 B, to a forked child and back':<52}{'':>10}")
row("C pipe (anchor)", a.get("c_pipe_rt", float("nan")), "us")
row("C socketpair (anchor)", a.get("c_socketpair_rt", float("nan")), "us")
row("raw pipe loop (same binary)", rt["raw_pipe"], "us")
row("raw socketpair loop (same binary)", rt["raw_socketpair"], "us")
row("Connection sendBytes/receiveBytes", rt["connection_bytes"], "us",
    f"{f(within('round_trip_us', 'connection_bytes', 'raw_pipe'))} raw pipe, {f(within('round_trip_us', 'connection_bytes', 'raw_socketpair'))} raw socketpair (same binary)")
row("Connection send/receive (Codable)", rt["connection_codable"], "us",
    f"{f(within('round_trip_us', 'connection_codable', 'raw_pipe'))} raw pipe (same binary)" + (f", {f(rt['connection_codable'] / a['py_pipe_rt'])} Python Pipe" if "py_pipe_rt" in a else ""))
row("ProcessQueue put/get", rt["queue"], "us", f"{f(rt['queue'] / a['py_queue_rt'])} Python Queue" if "py_queue_rt" in a else "")
for key, title in [("py_pipe_rt", "Python Pipe send/recv (anchor)"), ("py_pipe_bytes_rt", "Python Pipe send_bytes/recv_bytes (anchor)"), ("py_queue_rt", "Python Queue put/get (anchor)")]:
    if key in a: row(title, a[key], "us")
print()
print(f"{'one way, 64 KiB messages':<52}")
row("C socketpair (anchor)", a.get("c_socketpair_mb", float("nan")), "MB/s")
row("C pipe (anchor)", a.get("c_pipe_mb", float("nan")), "MB/s")
row("raw socketpair loop (same binary)", mb["raw_socketpair"], "MB/s")
row("Connection sendBytes", mb["connection_bytes"], "MB/s", f"{f(within('throughput_mb_s', 'connection_bytes', 'raw_socketpair'))} raw socketpair (same binary)")
print()
print(f"{'locked increment of a shared value':<52}")
row("SharedValue.withLock, one process", lk["uncontended"], "us", f"{f(lk['uncontended'] / med(value))} Python Value", 3)
row("SharedValue.withLock, 2 processes at once", lk["contended"], "us", "", 3)
row("Python Value += 1 under get_lock(), one process", med(value), "us", "", 3)
PY
