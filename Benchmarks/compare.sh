#!/usr/bin/env bash
# Side by side, in one run: procctl (ProcCore) against the anchors in ../shared/anchors.
#
#   Benchmarks/compare.sh            the full comparison (a few minutes on two cores)
#   COMPARE_QUICK=1 Benchmarks/compare.sh   smaller loads, for a smoke run
#
# Knobs: COMPARE_ROUNDS (3): rounds of the spawn and load-generator measurements, taken
# alternately so that drift on a shared machine touches both sides alike; the table shows
# the median of the rounds. COMPARE_SPAWN_N (2000): children per spawn measurement.
# SHARED: where the anchors are (default: ../shared beside the repository).
#
# It builds procctl in release mode, then measures:
#   spawn    procctl bench spawn (ChildProcess, and the raw shim/libc loops in the same
#            binary) against the anchors' C loops and Python's multiprocessing (run spawn);
#   servers  run servers under three loads (short: 8 concurrent connections of 1 message
#            of 64 B; long: 200 messages each; large: 64 KiB messages), with procctl serve
#            added when this build has it, in both models (procctl-prefork: --workers 16),
#            and c-epoll, the one-process event loop (the ceiling without any fork);
#   paired   procctl serve beside the C fork server in interleaved rounds (the targets'
#            ratios; one run per server above drifts with the machine), and procctl serve
#            --workers 16 (prefork) beside the C prefork server (16 workers) the same way;
#   load     procctl load against the C load generator, on the same servers (the C
#            fork and prefork servers, and procctl serve when this build has it).
#   ipc      Benchmarks/compare-ipc.sh: procctl bench ipc beside run ipc (its own table,
#            printed after the others; COMPARE_IPC_ROUNDS, COMPARE_IPC_N).
# Everything talks to 127.0.0.1; every server this script starts is stopped by its pid.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$root/../shared}
anchors="$shared/anchors/run"
if [ ! -x "$anchors" ]; then
    echo "compare.sh: skipped: no anchors at $shared/anchors (../shared beside the repository);" \
         "they are what procctl is compared with." >&2
    exit 0
fi
shared=$(cd "$shared" && pwd)
anchors="$shared/anchors/run"
command -v python3 >/dev/null || { echo "compare.sh: skipped: python3 (needed by the anchors) is missing" >&2; exit 0; }

rounds=${COMPARE_ROUNDS:-3}
spawn_n=${COMPARE_SPAWN_N:-2000}
if [ "${COMPARE_QUICK:-0}" = 1 ]; then
    short_conns=500 long_conns=40 large_conns=40 large_msgs=5 spawn_n=${COMPARE_SPAWN_N:-500} rounds=${COMPARE_ROUNDS:-1}
else
    short_conns=2000 long_conns=400 large_conns=200 large_msgs=20
fi
bin_dir=${ANCHORS_BIN:-/tmp/procctl-anchors}
work=$(mktemp -d /tmp/procctl-compare.XXXXXX)
results="$work/results"
: > "$results"
server_pids=()
cleanup() {
    for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

note() { echo "compare.sh: $*" >&2; }
record() { echo "$*" >> "$results"; }

note "building procctl (release)"
(cd "$root" && swift build -c release --product procctl >"$work/build.log" 2>&1) || { cat "$work/build.log" >&2; exit 1; }
procctl="$(cd "$root" && swift build -c release --show-bin-path)/procctl"
"$anchors" build

# --- spawn -----------------------------------------------------------------------------
# run spawn once (vfork, fork+exec and Python), then rounds in which each C loop runs right
# beside procctl bench's loops, so that each ratio compares neighbours in time.
note "spawn: the anchors' run spawn"
"$anchors" spawn "$spawn_n" > "$work/anchor-spawn.txt"
python3 - "$work/anchor-spawn.txt" >> "$results" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    m = re.match(r"(\w+): \d+ children, ([\d.]+) us each", line)
    if m: print(f"spawn 0 c_{m.group(1)} {m.group(2)}")
    m = re.match(r"python (\w+): \d+ processes, ([\d.]+) us each", line)
    if m: print(f"spawn 0 python_{m.group(1)} {m.group(2)}")
PY
for round in $(seq "$rounds"); do
    note "spawn, round $round/$rounds"
    for method in fork exec; do
        c_mode=$([ $method = fork ] && echo fork || echo spawn)
        "$bin_dir/forklimit" "$spawn_n" "$c_mode" > "$work/c.txt"
        "$procctl" bench spawn --iterations "$spawn_n" --method "$method" --json > "$work/bench.json"
        python3 - "$round" "$work/c.txt" "$work/bench.json" >> "$results" <<'PY'
import json, re, sys
r = sys.argv[1]
for line in open(sys.argv[2]):
    m = re.match(r"(\w+): \d+ children, ([\d.]+) us each", line)
    if m: print(f"spawn {r} c_{m.group(1)} {m.group(2)}")
for method, variants in json.load(open(sys.argv[3]))["methods"].items():
    for label, value in variants.items():
        if isinstance(value, dict): print(f"spawn {r} {method}_{label} {value['median_us']}")
PY
    done
done

# --- servers ---------------------------------------------------------------------------
names=(c-fork c-prefork c-epoll py-seed py-forkingtcp)
command -v socat >/dev/null && names+=(socat-fork) || note "socat is not installed: socat-fork left out"
command -v tcpserver >/dev/null && names+=(tcpserver) || note "tcpserver (ucspi-tcp) is not installed: left out"
if "$procctl" --help 2>/dev/null | grep -qE '^ +serve( |$)'; then
    names+=(procctl)
    "$procctl" serve --help 2>/dev/null | grep -q -- '--workers' || { note "this build of procctl serve has no --workers: no prefork rows"; record "note procctl-prefork-missing"; }
else
    note "this build of procctl has no 'serve' yet: the server rows show the anchors only"
    record "note procctl-serve-missing"
fi
loads=("short $short_conns 8 1 64" "long $long_conns 8 200 64" "large $large_conns 8 $large_msgs 65536")
for load in "${loads[@]}"; do
    read -r label total threads msgs size <<<"$load"
    note "servers, $label load: $total connections, $threads at a time, $msgs x $size B"
    PROCCTL="$procctl" "$anchors" servers "$total" "$threads" "$msgs" "$size" "${names[@]}" 2>&1 | tee "$work/servers.txt" >&2 || true
    grep -E '^[a-z-]+ +conns=|did not start' "$work/servers.txt" | sed "s/^/serverline $label /" >> "$results" || true
    if ! grep -q 'procctl-.*-missing' "$results"; then
        note "servers, $label load: procctl serve --workers 16"
        PROCCTL="$procctl" PROCCTL_ARGS="--workers 16" "$anchors" servers "$total" "$threads" "$msgs" "$size" procctl 2>&1 \
            | grep -E '^[a-z-]+ +conns=|did not start' | sed -e "s/^procctl /procctl-prefork /" -e "s/^/serverline $label /" >> "$results" || true
    fi
done

# --- procctl serve beside the C fork server, interleaved ------------------------------
# One run per server above is at the mercy of a shared machine's drift (a long-load run
# lasts about a second): for the targets, rounds of c-fork then procctl, ratios taken
# within each round.
if ! grep -q procctl-serve-missing "$results"; then
    for load in "${loads[@]}"; do
        read -r label total threads msgs size <<<"$load"
        for round in $(seq "$rounds"); do
            note "procctl serve beside c-fork, $label load, round $round/$rounds"
            PROCCTL="$procctl" "$anchors" servers "$total" "$threads" "$msgs" "$size" c-fork procctl 2>&1 \
                | grep -E '^[a-z-]+ +conns=' | sed "s/^/pairline $label $round /" >> "$results" || true
        done
    done
fi
# The prefork targets: procctl serve --workers 16 beside the C prefork server (16 workers).
if ! grep -q 'procctl-.*-missing' "$results"; then
    for load in "${loads[@]}"; do
        read -r label total threads msgs size <<<"$load"
        for round in $(seq "$rounds"); do
            note "procctl serve --workers 16 beside c-prefork, $label load, round $round/$rounds"
            PROCCTL="$procctl" PROCCTL_ARGS="--workers 16" "$anchors" servers "$total" "$threads" "$msgs" "$size" c-prefork procctl 2>&1 \
                | grep -E '^[a-z-]+ +conns=' | sed "s/^/preforkline $label $round /" >> "$results" || true
        done
    done
fi

# --- load generators -------------------------------------------------------------------
wait_port() { for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
"$bin_dir/cfork_server" 9141 & server_pids+=($!)
"$bin_dir/cprefork_server" 9142 16 & server_pids+=($!)
wait_port 9141 && wait_port 9142 || { note "the C servers did not start"; exit 1; }
generator_servers=("c-fork 9141" "c-prefork 9142")
if ! grep -q procctl-serve-missing "$results"; then
    "$procctl" serve --port 9143 --quiet >/dev/null 2>&1 & server_pids+=($!)
    if wait_port 9143; then generator_servers+=("procctl 9143"); else note "procctl serve did not start on 9143"; fi
fi
if ! grep -q 'procctl-.*-missing' "$results"; then
    "$procctl" serve --port 9144 --workers 16 --quiet >/dev/null 2>&1 & server_pids+=($!)
    if wait_port 9144; then generator_servers+=("procctl-prefork 9144"); else note "procctl serve --workers 16 did not start on 9144"; fi
fi
for load in "${loads[@]}"; do
    read -r label total threads msgs size <<<"$load"
    for server in "${generator_servers[@]}"; do
        read -r sname port <<<"$server"
        for round in $(seq "$rounds"); do
            note "load generators, $label load on $sname, round $round/$rounds"
            c=$("$bin_dir/loadgen" "$port" "$total" "$threads" "$msgs" "$size" || true)
            record "loadgen $label $sname $(echo "$c" | sed -n 's/.*conn_per_s=\([0-9.]*\) msg_per_s=\([0-9.]*\).*/\1 \2/p')"
            echo "$c" | grep -q "errors=0" || record "loaderrors $label $sname loadgen $c"
            j=$("$procctl" load --port "$port" --connections "$total" --concurrency "$threads" \
                --messages "$msgs" --size "$size" --json || true)
            record "procctlload $label $sname $(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["connections_per_s"], d["messages_per_s"], d["errors"])' "$j")"
        done
    done
done

# --- pool ------------------------------------------------------------------------------
# Python's Pool(2) (the anchors' run ipc, which times Pool with n = its rounds / 2) beside
# procctl bench pool with the same n, in alternate rounds; ratios taken within each round.
if "$procctl" bench --help 2>/dev/null | grep -qE '^ +pool( |$)'; then
    pool_n=${COMPARE_POOL_N:-10000}
    [ "${COMPARE_QUICK:-0}" = 1 ] && pool_n=${COMPARE_POOL_N:-2000}
    for round in $(seq "$rounds"); do
        note "pool, round $round/$rounds: run ipc $((pool_n * 2)), then procctl bench pool --tasks $pool_n"
        "$anchors" ipc $((pool_n * 2)) > "$work/ipc.txt"
        "$procctl" bench pool --tasks "$pool_n" --json > "$work/pool.json"
        "$procctl" pool --json > "$work/pool-speedup.json"
        python3 - "$round" "$work/ipc.txt" "$work/pool.json" "$work/pool-speedup.json" >> "$results" <<'PY'
import json, re, sys
r = sys.argv[1]
for line in open(sys.argv[2]):
    m = re.match(r"python Pool\(2\)\.map, default chunksize: ([\d.]+) us", line)
    if m: print(f"pool {r} python_map_default {m.group(1)}")
    m = re.match(r"python Pool\(2\)\.map, chunksize=1: ([\d.]+) us", line)
    if m: print(f"pool {r} python_map_chunk1 {m.group(1)}")
    m = re.match(r"python Pool\(2\)\.apply_async: ([\d.]+) us", line)
    if m: print(f"pool {r} python_apply_async {m.group(1)}")
d = json.load(open(sys.argv[3]))
for key, value in d["per_task_us"].items(): print(f"pool {r} procctl_{key} {value}")
print(f"pool {r} procctl_forkserver {d['forkserver_start_join_us']}")
print(f"pool {r} procctl_fork {d['fork_start_join_us']}")
print(f"pool {r} procctl_speedup {json.load(open(sys.argv[4]))['speedup']}")
PY
    done
else
    note "this build of procctl has no 'bench pool': the pool rows are left out"
fi

# --- the table -------------------------------------------------------------------------
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r)"
python3 - "$results" "$machine" "$rounds" "$spawn_n" <<'PY'
import statistics, sys
from collections import defaultdict
path, machine, rounds, spawn_n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
spawn = defaultdict(list); server = {}; gen = defaultdict(list); notes = []; errors = []
pool = defaultdict(list)  # key -> [(round, value)]
pairs = defaultdict(dict)  # (load, round) -> name -> (conn/s, msg/s)
prefork_pairs = defaultdict(dict)  # the same for c-prefork beside procctl --workers 16
for line in open(path):
    f = line.split()
    if not f: continue
    if f[0] == "spawn": spawn[f[2]].append((f[1], float(f[3])))
    elif f[0] == "serverline":
        kv = dict(x.split("=", 1) for x in f[3:] if "=" in x)
        if "conn_per_s" in kv: server[(f[1], f[2])] = (float(kv["conn_per_s"]), float(kv["msg_per_s"]))
        else: errors.append(f"{f[1]} load: " + " ".join(f[2:]))
        if kv.get("errors", "0") != "0": errors.append(f"{f[2]} ({f[1]} load): {kv['errors']} errors")
    elif f[0] == "pairline":
        kv = dict(x.split("=", 1) for x in f[4:] if "=" in x)
        if "conn_per_s" in kv: pairs[(f[1], f[2])][f[3]] = (float(kv["conn_per_s"]), float(kv["msg_per_s"]))
        if kv.get("errors", "0") != "0": errors.append(f"{f[3]} ({f[1]} load, paired round {f[2]}): {kv['errors']} errors")
    elif f[0] == "preforkline":
        kv = dict(x.split("=", 1) for x in f[4:] if "=" in x)
        if "conn_per_s" in kv: prefork_pairs[(f[1], f[2])][f[3]] = (float(kv["conn_per_s"]), float(kv["msg_per_s"]))
        if kv.get("errors", "0") != "0": errors.append(f"{f[3]} --workers 16 ({f[1]} load, paired round {f[2]}): {kv['errors']} errors")
    elif f[0] == "loadgen" and len(f) >= 5: gen[(f[1], f[2], "C loadgen")].append((float(f[3]), float(f[4])))
    elif f[0] == "procctlload" and len(f) >= 6:
        gen[(f[1], f[2], "procctl load")].append((float(f[3]), float(f[4])))
        if f[5] != "0": errors.append(f"procctl load on {f[2]} ({f[1]} load): {f[5]} errors")
    elif f[0] == "loaderrors": errors.append(" ".join(f[1:]))
    elif f[0] == "note": notes.append(f[1])
    elif f[0] == "pool": pool[f[2]].append((f[1], float(f[3])))
med = lambda xs: statistics.median(xs) if xs else float("nan")
print(f"procctl side by side with the anchors: {machine}")
print(f"(spawn and load generators: medians of {rounds} round(s), each C measurement beside procctl's, ratios")
print(f" taken within each round; servers: one run each; {spawn_n} children per spawn measurement)")
print()
print(f"{'spawn: one child life cycle':<52}{'us/child':>10}  ratios")
# Round 0 is run spawn's single pass; rounds 1... put each C loop beside procctl's loops.
# A value is the median over the rounds that have it (rounds 1... when there are some);
# a ratio is the median of the ratios within each round.
def rounds_of(key):
    values = dict(spawn.get(key, []))
    timed = {r: v for r, v in values.items() if r != "0"}
    return timed or values
s = {k: med(list(rounds_of(k).values())) for k in spawn}
def ratio(a, b):
    if isinstance(a, str):
        ra, rb = rounds_of(a), rounds_of(b)
        common = [r for r in ra if r in rb]
        xs = [ra[r] / rb[r] for r in common] if common else ([s[a] / s[b]] if a in s and b in s else [])
        return f"{med(xs):.2f}x" if xs else "-"
    return f"{a / b:.2f}x" if a == a and b == b and b else "-"
rows = [
    ("ChildProcess { } start+join (procctl bench)", "fork_childprocess",
        [("C fork+_exit+waitpid", "c_fork"), ("pc_fork loop, same binary", "fork_pc_fork"), ("libc fork loop, same binary", "fork_libc_fork")]),
    ("ChildProcess(threadPolicy: .allow), no thread check", "fork_childprocess_allow", [("pc_fork loop", "fork_pc_fork")]),
    ("pc_fork + pc_child_exit + pc_wait (same binary)", "fork_pc_fork", [("C fork", "c_fork")]),
    ("fork + _exit + waitpid from Swift (same binary)", "fork_libc_fork", [("C fork", "c_fork")]),
    ("C fork + _exit + waitpid (anchor)", "c_fork", []),
    ("C vfork + _exit + waitpid (anchor)", "c_vfork", []),
    ("Python multiprocessing fork start+join (anchor)", "python_fork", [("C fork", "c_fork"), ("ChildProcess", "fork_childprocess")]),
    ("ChildProcess(executing: /bin/true) start+join", "exec_childprocess",
        [("C posix_spawn", "c_spawn"), ("pc_spawn loop, same binary", "exec_pc_spawn")]),
    ("pc_spawn(/bin/true) + pc_wait (same binary)", "exec_pc_spawn", [("C posix_spawn", "c_spawn")]),
    ("posix_spawn(/bin/true) from Swift (same binary)", "exec_libc_posix_spawn", [("C posix_spawn", "c_spawn")]),
    ("C posix_spawn(/bin/true) + waitpid (anchor)", "c_spawn", []),
    ("C fork + exec(/bin/true) + waitpid (anchor)", "c_forkexec", []),
]
for title, key, against in rows:
    if key not in s: continue
    rs = ", ".join(f"{ratio(key, b)} {name}" for name, b in against if b in s)
    print(f"{title:<52}{s[key]:>10.1f}  {rs}")
loads = ["short", "long", "large"]
order = ["c-fork", "c-prefork", "c-epoll", "procctl", "procctl-prefork", "tcpserver", "socat-fork", "py-forkingtcp", "py-seed"]
servers = sorted({name for (_, name) in server}, key=lambda n: order.index(n) if n in order else 99)
if servers:
    print()
    print("servers (C loadgen; ratios against c-fork)  short: 1 x 64 B/conn, long: 200 x 64 B/conn, large: 64 KiB messages")
    print(f"{'server':<15}" + "".join(f"{l + ' conn/s':>16}{'ratio':>7}{l + ' msg/s':>15}{'ratio':>7}" for l in loads))
    for name in servers:
        line = f"{name:<15}"
        for l in loads:
            v = server.get((l, name)); c = server.get((l, "c-fork"))
            if v is None: line += f"{'-':>16}{'':>7}{'-':>15}{'':>7}"; continue
            line += f"{v[0]:>16.0f}{ratio(v[0], c[0]) if c else '-':>7}{v[1]:>15.0f}{ratio(v[1], c[1]) if c else '-':>7}"
        print(line)
    if "procctl-serve-missing" in notes:
        print("  (procctl serve is not in this build: its row is missing)")
def interleaved(title, table, anchor, ours):
    if not table: return
    print()
    print(f"{title}, interleaved (C loadgen; medians of {rounds} rounds, ratios within each round, range in brackets)")
    print(f"{'load':<7}{anchor + ' conn/s':>17}{ours + ' conn/s':>16}{'ratio':>7}{'':>14}{anchor + ' msg/s':>16}{ours + ' msg/s':>15}{'ratio':>7}{'':>14}")
    for l in loads:
        rs = [v for (load, _), v in sorted(table.items()) if load == l and anchor in v and "procctl" in v]
        if not rs: continue
        cc = [r[anchor][0] for r in rs]; pc = [r["procctl"][0] for r in rs]
        cm = [r[anchor][1] for r in rs]; pm = [r["procctl"][1] for r in rs]
        rc = [p / c for p, c in zip(pc, cc) if c]; rm = [p / c for p, c in zip(pm, cm) if c]
        span = lambda xs: f"[{min(xs):.2f}-{max(xs):.2f}]"
        print(f"{l:<7}{med(cc):>17.0f}{med(pc):>16.0f}{med(rc):>6.2f}x{span(rc):>14}{med(cm):>16.0f}{med(pm):>15.0f}{med(rm):>6.2f}x{span(rm):>14}")
interleaved("procctl serve beside c-fork", pairs, "c-fork", "procctl")
interleaved("procctl serve --workers 16 beside c-prefork (16 workers)", prefork_pairs, "c-prefork", "procctl")
if gen:
    print()
    print("load generators on the same server (ratio: procctl load / C loadgen)")
    print(f"{'load':<7}{'server':<16}{'C loadgen conn/s':>18}{'procctl conn/s':>16}{'ratio':>7}{'C loadgen msg/s':>17}{'procctl msg/s':>15}{'ratio':>7}")
    for l in loads:
        for sname in ["c-fork", "c-prefork", "procctl", "procctl-prefork"]:
            a = gen.get((l, sname, "C loadgen")); b = gen.get((l, sname, "procctl load"))
            if not a or not b: continue
            ac, am = med([x[0] for x in a]), med([x[1] for x in a]); bc, bm = med([x[0] for x in b]), med([x[1] for x in b])
            # Round i of procctl load ran right after round i of the C loadgen.
            rc = med([y[0] / x[0] for x, y in zip(a, b) if x[0]]); rm = med([y[1] / x[1] for x, y in zip(a, b) if x[1]])
            print(f"{l:<7}{sname:<16}{ac:>18.0f}{bc:>16.0f}{rc:>6.2f}x{am:>17.0f}{bm:>15.0f}{rm:>6.2f}x")
if pool:
    print()
    print(f"pool: per task (Python's Pool(2) from run ipc, procctl bench pool; medians of {rounds} rounds, ratios within each round)")
    def pool_ratio(a, b):
        ra, rb = dict(pool.get(a, [])), dict(pool.get(b, []))
        xs = [ra[r] / rb[r] for r in ra if r in rb and rb[r]]
        return f"{med(xs):.2f}x" if xs else "-"
    pv = lambda k: med([v for _, v in pool.get(k, [])])
    print(f"{'':<44}{'procctl us':>12}{'Python us':>12}  procctl / Python")
    for title, key in [("map, chunk size 1", "map_chunk1"), ("map, default chunking", "map_default"), ("applyAsync / apply_async + get", "apply_async")]:
        print(f"{title:<44}{pv('procctl_' + key):>12.3f}{pv('python_' + key):>12.3f}  {pool_ratio('procctl_' + key, 'python_' + key)}")
    print(f"{'child through the fork server, start+join':<44}{pv('procctl_forkserver'):>12.1f}{'':>12}  {pool_ratio('procctl_forkserver', 'procctl_fork')} ChildProcess fork ({pv('procctl_fork'):.1f} us)")
    print(f"{'procctl pool speedup over sequential':<44}{pv('procctl_speedup'):>11.2f}x")
if errors:
    print()
    print("errors seen:")
    for e in errors: print("  " + e)
PY

# --- ipc -------------------------------------------------------------------------------
# Its own script, so that it also runs alone; it prints its table after the one above.
echo
PROCCTL="$procctl" SHARED="$shared" "$root/Benchmarks/compare-ipc.sh"
