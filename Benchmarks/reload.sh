#!/usr/bin/env bash
# Reload (SIGHUP) and binary upgrade (SIGUSR2) under load: how many connections fail per
# event and how long each takes, for both process models.
#
#   Benchmarks/reload.sh                 20 HUPs and 5 upgrades per model
#   RELOAD_QUICK=1 Benchmarks/reload.sh  5 HUPs and 2 upgrades, for a smoke run
#
# Knobs: RELOAD_HUPS (20), RELOAD_UPGRADES (5), RELOAD_INTERVAL (0.5: seconds between two
# events), RELOAD_CONCURRENCY (8: procctl load's client processes), RELOAD_MESSAGES (3:
# checked messages per connection), RELOAD_WORKERS (8: prefork's --workers), PROCCTL (a
# procctl to use; default: this checkout built in release mode).
#
# For each model and each kind of event, one `procctl load` run (connection after
# connection, every reply checked) is kept going while the events are sent one every
# RELOAD_INTERVAL seconds; its failed connections are divided by the number of events. A
# run with no event beside them shows the failures the load has without any (0 expected).
# Durations: a HUP, from the master's log ("generation N serves alone after T ms": the
# new generation forked and accepting, every old worker gone after its connection); an
# upgrade, the new master's "serves after T ms" (exec to ready), and the script's own
# measure from the SIGUSR2 to the old master's exit (its drain included).
# Everything talks to 127.0.0.1; every process started here is stopped by its pid.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${RELOAD_QUICK:-0}" = 1 ]; then
    hups=${RELOAD_HUPS:-5} upgrades=${RELOAD_UPGRADES:-2}
else
    hups=${RELOAD_HUPS:-20} upgrades=${RELOAD_UPGRADES:-5}
fi
interval=${RELOAD_INTERVAL:-0.5}
concurrency=${RELOAD_CONCURRENCY:-8}
messages=${RELOAD_MESSAGES:-3}
workers=${RELOAD_WORKERS:-8}

work=$(mktemp -d /tmp/procctl-reload.XXXXXX)
pids=()
cleanup() {
    # The masters of later upgrades are not this shell's children: each is found in the pid file.
    for pidfile in "$work"/*.pid; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    sleep 0.3
    rm -rf "$work"
}
trap cleanup EXIT
note() { echo "reload.sh: $*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Whether PID runs (a zombie, ended but not yet reaped by its parent, does not).
alive() { [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'; }

if [ -n "${PROCCTL:-}" ]; then
    procctl=$PROCCTL
else
    note "building procctl (release)"
    (cd "$root" && swift build -c release --product procctl >&2)
    procctl="$root/.build/release/procctl"
fi

json_field() { sed -n "s/.*\"$2\": *\([0-9.]*\).*/\1/p" "$1" | head -1; }
# median and max of whitespace-separated numbers on stdin
stats() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "-"; exit} m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%g / %g", m, v[NR]}'; }

# run MODEL EVENT COUNT: one server, one load, COUNT events; prints one table row.
run() {
    local model=$1 event=$2 count=$3 name="$1-$2"
    [ "$event" != none ] && [ "$count" -lt 1 ] && return 0
    local log="$work/$name.log" out="$work/$name.out" pidfile="$work/$name.pid" report="$work/$name.json"
    local args=()
    [ "$model" = prefork ] && args=(--workers "$workers")
    "$procctl" serve --port 0 --grace 10 --pid-file "$pidfile" "${args[@]}" > "$out" 2> "$log" &
    local master=$!
    pids+=("$master")
    local tries=0
    until grep -q "listening on" "$out" 2>/dev/null; do
        tries=$((tries + 1)); [ $tries -gt 500 ] && { note "$name: the server did not start"; cat "$log" >&2; exit 1; }
        sleep 0.02
    done
    local port
    port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$out" | head -1)
    local seconds
    seconds=$(awk "BEGIN {print $count * $interval + 1.5}")
    "$procctl" load --port "$port" --connections 10000000 --concurrency "$concurrency" --messages "$messages" \
        --size 64 --timeout 10 --deadline "$seconds" --json > "$report" 2>/dev/null &
    local load=$!
    pids+=("$load")
    sleep 0.5
    local handovers=()
    for _ in $(seq 1 "$count"); do
        case $event in
        hup) kill -HUP "$(cat "$pidfile")" ;;
        upgrade)
            local old started
            old=$(cat "$pidfile")
            started=$(now_ms)
            kill -USR2 "$old"
            tries=0
            while alive "$old"; do
                tries=$((tries + 1)); [ $tries -gt 3000 ] && { note "$name: the old master $old did not leave"; break; }
                sleep 0.005
            done
            handovers+=($(( $(now_ms) - started )))
            ;;
        esac
        sleep "$interval"
    done
    wait "$load" || true
    local ok errors
    ok=$(json_field "$report" ok)
    errors=$(json_field "$report" errors)
    local kinds
    kinds=$(sed -n 's/.*"errors_by_kind": *{\([^}]*\)}.*/\1/p' "$report" | tr -d '" ')
    local durations="-" extra="-"
    case $event in
    hup)
        if [ "$model" = prefork ]; then
            durations=$(sed -n 's/.*serves alone after \([0-9]*\) ms.*/\1/p' "$log" | tr '\n' ' ' | stats)
        else
            durations="0 (nothing to restart)"
        fi
        [ "$model" = prefork ] && [ "$(grep -c 'serves alone after' "$log")" != "$count" ] && note "$name: only $(grep -c 'serves alone after' "$log") of $count reloads logged as done"
        ;;
    upgrade)
        durations=$(sed -n 's/.*serves after \([0-9]*\) ms.*/\1/p' "$log" | tr '\n' ' ' | stats)
        extra=$(echo "${handovers[*]}" | stats)
        [ "$(grep -c 'serves after' "$log")" != "$count" ] && note "$name: only $(grep -c 'serves after' "$log") of $count upgrades logged as done"
        ;;
    esac
    local per
    per=$(awk "BEGIN {if ($count > 0) printf \"%.2f\", $errors / $count; else print \"-\"}")
    printf "%-8s %-8s %6s %9s %7s %10s  %-24s %-22s %s\n" "$model" "$event" "$count" "$ok" "$errors" "$per" "$durations" "$extra" "$kinds"
    # Stop whichever master now serves, by the pid its pid file names.
    local last
    last=$(cat "$pidfile" 2>/dev/null || echo "$master")
    kill "$last" 2>/dev/null || true
    tries=0
    while kill -0 "$last" 2>/dev/null && [ $tries -lt 1000 ]; do tries=$((tries + 1)); sleep 0.01; done
    wait "$master" 2>/dev/null || true
}

cores=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo "procctl serve: reload and upgrade under procctl load ($concurrency client processes, $messages x 64 B per connection, one event every $interval s); $cores cores, $cpu, Linux $(uname -r)"
printf "%-8s %-8s %6s %9s %7s %10s  %-24s %-22s %s\n" model event events "ok conns" failed "failed/ev" "ms: median / max" "SIGUSR2 to old exit ms" "failures by kind"
for model in prefork fork; do
    run "$model" none 0
    run "$model" hup "$hups"
    run "$model" upgrade "$upgrades"
done
