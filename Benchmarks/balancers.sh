#!/usr/bin/env bash
# Three `procctl serve --workers 4` instances behind real load balancers (HAProxy, nginx's
# stream module) and with --reuse-port and no balancer, under continuous `procctl load`:
# how many connections fail when an instance is stopped, killed, reloaded or upgraded.
#
#   Benchmarks/balancers.sh                        every scenario, 8 and 32 clients, 3 events each
#   BALANCERS_EVENTS=1 BALANCERS_CLIENTS=8 Benchmarks/balancers.sh   a smoke run
#
# Knobs:
#   PROCCTL            the procctl that serves (default: .build/release/procctl of this checkout)
#   LOAD_PROCCTL       the procctl that loads (default: PROCCTL); it needs `load --duration`
#   BALANCERS_FEATURES auto (default): what `PROCCTL serve --help` offers, each on its own;
#                      before: a plain TCP health check, no drain delay, no PROXY protocol;
#                      after: both of drain (HAProxy's `option httpchk GET /readyz` and
#                      --drain-delay per the documented rule) and proxy (`send-proxy-v2`,
#                      nginx's `proxy_protocol on`, with --proxy-protocol)
#   BALANCERS_SCENARIOS (all) any of: term kill-master kill-all usr2 hup reuseport throughput
#   BALANCERS_BALANCERS (haproxy nginx)   BALANCERS_CLIENTS (8 32)   BALANCERS_EVENTS (3)
#   BALANCERS_INTERVAL (8: seconds from one event to the next)   BALANCERS_PORT (28080)
#   BALANCERS_KEEP=1   keep the work directory (configurations, logs, each run's JSON)
#
# Addresses, all on 127.0.0.0/8: the instances on 127.0.0.211-213 (admin address on
# BALANCERS_PORT+10), HAProxy on 127.0.0.201, nginx on 127.0.0.202; --reuse-port's three
# instances share 127.0.0.210. The health check runs every second and takes a server out
# after 2 failures (inter 1s fall 2), so the drain delay is 3 s (docs/production.md: the
# delay must be longer than the check interval times the fall count).
#
# One scenario is one `procctl load --duration` run (connection after connection, one
# checked message each, --timeline kept in the work directory) through one balancer, with
# BALANCERS_EVENTS events BALANCERS_INTERVAL seconds apart, each on the next instance in
# turn: term (SIGTERM, wait for the exit, start it again), kill-master (SIGKILL of the
# master; its orphaned workers are waited for, then it is started again), kill-all (SIGKILL
# of the master and its workers at once, then started again), usr2 (binary upgrade, waited
# for), hup (reload). reuseport: term and kill-master with no balancer, three instances on
# one port, with net.ipv4.tcp_migrate_req at 0 and at 1 (restored at the end; root only).
# throughput: 32 clients through HAProxy, to servers without and with PROXY protocol v2,
# alternated 3 times for 10 s each (after only).
# HAProxy and nginx run in the foreground as this user with their own files in the work
# directory (nginx with -p), never as the system's service. Every process started here
# is stopped by its pid.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
procctl=$(realpath "${PROCCTL:-$root/.build/release/procctl}")
load_procctl=$(realpath "${LOAD_PROCCTL:-$procctl}")
features=${BALANCERS_FEATURES:-auto}
scenarios=${BALANCERS_SCENARIOS:-term kill-master kill-all usr2 hup reuseport throughput}
balancers=${BALANCERS_BALANCERS:-haproxy nginx}
clients_list=${BALANCERS_CLIENTS:-8 32}
events=${BALANCERS_EVENTS:-3}
interval=${BALANCERS_INTERVAL:-8}
port=${BALANCERS_PORT:-28080}
admin_port=$((port + 10))
check_inter=1 check_fall=2 check_rise=2
drain_delay=3
haproxy_address=127.0.0.201 nginx_address=127.0.0.202 reuseport_address=127.0.0.210

note() { echo "balancers.sh: $*" >&2; }
die() { note "$*"; exit 1; }
[ -x "$procctl" ] || die "no procctl at $procctl (build it: swift build -c release, or set PROCCTL)"
"$load_procctl" load --help | grep -q -- --duration || die "$load_procctl has no 'load --duration': set LOAD_PROCCTL"
command -v haproxy > /dev/null || die "haproxy is not installed (apt-get install haproxy)"
command -v nginx > /dev/null || die "nginx is not installed (apt-get install nginx-light libnginx-mod-stream)"
stream_module=/usr/lib/nginx/modules/ngx_stream_module.so
[ -f "$stream_module" ] || die "nginx's stream module is not installed (apt-get install libnginx-mod-stream)"

help=$("$procctl" serve --help)
has() { grep -q -- "$1" <<< "$help"; }
# drain: /readyz and --drain-delay; proxy: PROXY protocol (yes or no each).
drain=no proxy=no
case $features in
auto)
    has --drain-delay && drain=yes
    has --proxy-protocol && proxy=yes
    ;;
before) ;;
after)
    has --drain-delay && has --proxy-protocol || die "$procctl serve has no --drain-delay or --proxy-protocol"
    drain=yes proxy=yes
    ;;
*) die "BALANCERS_FEATURES must be auto, before or after (got $features)" ;;
esac
features="drain $drain, proxy protocol $proxy"

work=$(mktemp -d /tmp/procctl-balancers.XXXXXX)
results="$work/results.txt"
: > "$results"
migrate_sysctl=/proc/sys/net/ipv4/tcp_migrate_req
migrate_saved=$(cat "$migrate_sysctl" 2>/dev/null || echo "")
balancer_pids=()

# Whether PID runs (a zombie, ended but not yet reaped by its parent, does not).
alive() { [ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'; }
# The children of PID (a master's workers).
children() { cat /proc/"$1"/task/*/children 2>/dev/null || true; }
# wait_gone SECONDS PID...: waits until none of the PIDs runs; 1 if one still does.
wait_gone() {
    local limit=$(( $1 * 20 )) tries=0 pid
    shift
    for pid in "$@"; do
        while alive "$pid"; do
            tries=$((tries + 1)); [ $tries -gt $limit ] && return 1
            sleep 0.05
        done
    done
}
# The master of instance I, from its pid file (it changes on an upgrade).
master() { cat "$work/s$1.pid" 2>/dev/null || true; }

# start_instance I ADDRESS PORT [FLAGS...]: starts instance I (admin address 127.0.0.21I)
# on ADDRESS:PORT and waits until it serves (its pid file names a live process).
start_instance() {
    local i=$1 address=$2 listen_port=$3
    shift 3
    rm -f "$work/s$i.pid"
    # Started from a subshell, so that it is not one of this shell's jobs: it is followed
    # by its pid file (which an upgrade rewrites), and its end is not reported here.
    ("$procctl" serve --host "$address" --port "$listen_port" --workers 4 --quiet \
        --metrics "127.0.0.21$i:$admin_port" --pid-file "$work/s$i.pid" "$@" \
        >> "$work/s$i.out" 2>> "$work/s$i.log" &)
    local tries=0
    until [ -s "$work/s$i.pid" ] && alive "$(master "$i")"; do
        tries=$((tries + 1)); [ $tries -gt 600 ] && { tail -5 "$work/s$i.log" >&2; die "instance $i did not start"; }
        sleep 0.05
    done
    echo "$address $listen_port $*" > "$work/s$i.flags"
}
restart_instance() {
    local i=$1 flags
    read -r -a flags < "$work/s$i.flags"
    start_instance "$i" "${flags[@]}"
}
# Stops instance I at once (SIGQUIT: every worker killed) and waits for it.
stop_instance() {
    local pid
    pid=$(master "$1")
    [ -n "$pid" ] || return 0
    local workers
    workers=$(children "$pid")
    kill -QUIT "$pid" 2>/dev/null || true
    if ! wait_gone 15 "$pid" $workers; then kill -KILL "$pid" $workers 2>/dev/null || true; fi
    rm -f "$work/s$1.pid"
}
stop_balancers() {
    local pid
    for pid in "${balancer_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    balancer_pids=()
}
cleanup() {
    stop_balancers
    for i in 1 2 3 4 5 6; do stop_instance "$i"; done
    [ -n "$migrate_saved" ] && echo "$migrate_saved" > "$migrate_sysctl" 2>/dev/null || true
    if [ "${BALANCERS_KEEP:-0}" = 1 ]; then note "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# The serve flags of the mode: behind a balancer, and with --reuse-port and none.
balanced_flags=()
[ "$drain" = yes ] && balanced_flags+=(--drain-delay "$drain_delay")
[ "$proxy" = yes ] && balanced_flags+=(--proxy-protocol)

# haproxy_config FILE [FRONTEND_PORT FIRST BACKEND_PORT PROXY]...: one frontend on
# haproxy_address per group, to the instances FIRST to FIRST+2 (127.0.0.21I) on
# BACKEND_PORT, PROXY (yes/no) adding send-proxy-v2. The health check is the mode's.
haproxy_config() {
    local file=$1
    shift
    cat > "$file" <<EOF
global
    maxconn 8000
defaults
    mode tcp
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    retries 3
    option redispatch
EOF
    while [ $# -gt 0 ]; do
        local front=$1 first=$2 back=$3 proxy=$4 i server
        shift 4
        {
            echo "frontend fe_$front"
            echo "    bind $haproxy_address:$front"
            echo "    default_backend be_$front"
            echo "backend be_$front"
            echo "    balance roundrobin"
            echo "    default-server inter ${check_inter}s fall $check_fall rise $check_rise"
            if [ "$drain" = yes ]; then
                echo "    option httpchk GET /readyz"
                echo "    http-check expect status 200"
            fi
            for i in $first $((first + 1)) $((first + 2)); do
                server="    server s$i 127.0.0.21$i:$back check"
                [ "$drain" = yes ] && server+=" port $admin_port"
                [ "$proxy" = yes ] && server+=" send-proxy-v2"
                echo "$server"
            done
        } >> "$file"
    done
}
nginx_config() {
    local dir=$1 i
    mkdir -p "$dir"
    {
        echo "load_module $stream_module;"
        echo "worker_processes 2;"
        echo "error_log $dir/error.log warn;"
        echo "pid $dir/nginx.pid;"
        echo "events { worker_connections 8192; }"
        echo "stream {"
        echo "    upstream procctl {"
        for i in 1 2 3; do echo "        server 127.0.0.21$i:$port max_fails=1 fail_timeout=2s;"; done
        echo "    }"
        echo "    server {"
        echo "        listen $nginx_address:$port backlog=4096;"
        echo "        proxy_pass procctl;"
        echo "        proxy_connect_timeout 1s;"
        echo "        proxy_next_upstream on;"
        echo "        proxy_next_upstream_tries 3;"
        [ "$proxy" = yes ] && echo "        proxy_protocol on;"
        echo "    }"
        echo "}"
    } > "$dir/nginx.conf"
}
start_haproxy() {
    haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy.log" 2>&1 &
    balancer_pids+=($!)
}
start_balancers() {
    haproxy_config "$work/haproxy.cfg" "$port" 1 "$port" "$proxy"
    start_haproxy
    nginx_config "$work/nginx"
    nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" -g 'daemon off;' \
        > "$work/nginx/stdout.log" 2>&1 &
    balancer_pids+=($!)
    # Every server checked up (rise x inter), with a second to spare.
    sleep $((check_rise * check_inter + 1))
    for pid in "${balancer_pids[@]}"; do alive "$pid" || die "a balancer did not start: $(cat "$work/haproxy.log" "$work/nginx/error.log" 2>/dev/null)"; done
}

# The events, each on instance I.
event_term() {
    local pid
    pid=$(master "$1")
    kill -TERM "$pid"
    wait_gone 30 "$pid" || die "instance $1 did not stop after SIGTERM"
    restart_instance "$1"
}
event_kill_master() {
    local pid workers
    pid=$(master "$1")
    workers=$(children "$pid")
    kill -KILL "$pid"
    # The orphaned workers hold the listener until they leave: the instance can only be
    # started again once they have.
    if ! wait_gone 20 "$pid" $workers; then
        note "instance $1: orphaned workers still ran 20 s after their master's SIGKILL: killed"
        kill -KILL $workers 2>/dev/null || true
        wait_gone 5 $workers || true
    fi
    restart_instance "$1"
}
event_kill_all() {
    local pid workers
    pid=$(master "$1")
    workers=$(children "$pid")
    kill -KILL "$pid" $workers
    wait_gone 10 "$pid" $workers || die "instance $1 survived SIGKILL"
    restart_instance "$1"
}
event_usr2() {
    local old tries=0
    old=$(master "$1")
    kill -USR2 "$old"
    until [ "$(master "$1")" != "$old" ] && [ -n "$(master "$1")" ] && ! alive "$old"; do
        tries=$((tries + 1)); [ $tries -gt 1200 ] && die "instance $1: the upgrade did not end in 60 s"
        sleep 0.05
    done
}
event_hup() { kill -HUP "$(master "$1")"; }

# The first NAME's number in a JSON report (the run's, before the timeline's).
json_number() { grep -o "\"$2\": *[0-9.]*" "$1" | head -1 | sed 's/.*: *//'; }
# The non-zero failure kinds of a report: "reset 3, refused 1".
json_kinds() {
    grep -o '"errors_by_kind": {[^}]*}' "$1" | head -1 | sed 's/.*{//; s/}//' | tr ',' '\n' \
        | sed -n 's/ *"\([a-z_]*\)": *\([1-9][0-9]*\)/\1 \2/p' | paste -sd, - | sed 's/,/, /g'
}

# scenario BALANCER LABEL EVENT CLIENTS ADDRESS: one load run with the events; one results row.
scenario() {
    local balancer=$1 name=$2 event=$3 clients=$4 address=$5
    local duration=$((4 + events * interval + 2)) tag="$1-$2-$4"
    local report="$work/$tag.json" timeline="$work/$tag.events"
    "$load_procctl" load --host "$address" --port "$port" --duration "$duration" \
        --concurrency "$clients" --timeout 5 --json --timeline > "$report" &
    local load=$! started e instance
    started=$(date +%s.%N)
    : > "$timeline"
    for e in $(seq 1 "$events"); do
        # Event e at 4 + (e-1) x interval seconds into the run (later when the one
        # before took longer).
        sleep "$(awk -v s="$started" -v n="$(date +%s.%N)" -v at=$((4 + (e - 1) * interval)) 'BEGIN { d = s + at - n; print (d > 0 ? d : 0) }')"
        instance=$(( (e - 1) % 3 + 1 ))
        echo "$(awk -v s="$started" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }') s: $name on instance $instance" >> "$timeline"
        "event_${event//-/_}" "$instance"
    done
    wait "$load" || true
    local ok errors
    ok=$(json_number "$report" ok) errors=$(json_number "$report" errors)
    [ -n "$ok" ] || die "$tag: procctl load gave no report"
    printf '%-8s %-22s %7s %6s %11s %6s  %s\n' "$balancer" "$name" "$clients" "$events" \
        "$((ok + errors))" "$errors" "$(json_kinds "$report")" | tee -a "$results"
}

wants() { grep -qw -- "$1" <<< "$scenarios"; }
note "serving $procctl ($features: ${balanced_flags[*]:-no new flags}), loading with $load_procctl; work in $work"
printf '%-8s %-22s %7s %6s %11s %6s  %s\n' balancer scenario clients events connections failed kinds | tee -a "$results"

behind_balancer=()
for s in term kill-master kill-all usr2 hup; do wants "$s" && behind_balancer+=("$s"); done
if [ ${#behind_balancer[@]} -gt 0 ]; then
    for i in 1 2 3; do start_instance "$i" "127.0.0.21$i" "$port" "${balanced_flags[@]}"; done
    start_balancers
    for balancer in $balancers; do
        address=$haproxy_address
        [ "$balancer" = nginx ] && address=$nginx_address
        for s in "${behind_balancer[@]}"; do
            for clients in $clients_list; do scenario "$balancer" "$s" "$s" "$clients" "$address"; done
        done
    done
    stop_balancers
    for i in 1 2 3; do stop_instance "$i"; done
fi

if wants reuseport; then
    if [ -z "$migrate_saved" ] || ! echo "$migrate_saved" > "$migrate_sysctl" 2>/dev/null; then
        note "reuseport: $migrate_sysctl is not writable here (root in the host's network namespace needed): skipped"
    else
        for migrate in 0 1; do
            echo "$migrate" > "$migrate_sysctl"
            for i in 1 2 3; do start_instance "$i" "$reuseport_address" "$port" --reuse-port; done
            for s in term kill-master; do
                for clients in $clients_list; do scenario none "reuseport-migrate$migrate-$s" "$s" "$clients" "$reuseport_address"; done
            done
            for i in 1 2 3; do stop_instance "$i"; done
        done
        echo "$migrate_saved" > "$migrate_sysctl"
    fi
fi

if wants throughput; then
    if [ "$proxy" != yes ]; then
        note "throughput: $procctl serve has no --proxy-protocol: skipped"
    else
        # Instances 1-3 without PROXY protocol on port+1, 4-6 with it on port; HAProxy
        # forwards port+1 to the first ones and port to the others with send-proxy-v2.
        for i in 1 2 3; do start_instance "$i" "127.0.0.21$i" "$((port + 1))"; done
        for i in 4 5 6; do start_instance "$i" "127.0.0.21$i" "$port" --proxy-protocol; done
        haproxy_config "$work/haproxy.cfg" "$((port + 1))" 1 "$((port + 1))" no "$port" 4 "$port" yes
        start_haproxy
        sleep $((check_rise * check_inter + 1))
        plain=() proxied=()
        for round in 1 2 3; do
            for variant in plain proxied; do
                front=$port
                [ "$variant" = plain ] && front=$((port + 1))
                "$load_procctl" load --host "$haproxy_address" --port "$front" --duration 10 --concurrency 32 \
                    --timeout 5 --json > "$work/throughput-$variant-$round.json" || true
                rate=$(json_number "$work/throughput-$variant-$round.json" connections_per_s)
                if [ "$variant" = plain ]; then plain+=("$rate"); else proxied+=("$rate"); fi
            done
        done
        median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
        printf 'throughput through HAProxy, 32 clients, connections/s (3 x 10 s each, alternated):\n' | tee -a "$results"
        printf '  without PROXY protocol %s (median %s)\n' "${plain[*]}" "$(median "${plain[@]}")" | tee -a "$results"
        printf '  with send-proxy-v2     %s (median %s)\n' "${proxied[*]}" "$(median "${proxied[@]}")" | tee -a "$results"
        awk -v a="$(median "${proxied[@]}")" -v b="$(median "${plain[@]}")" \
            'BEGIN { printf "  ratio with/without     %.3f\n", a / b }' | tee -a "$results"
        stop_balancers
        for i in 1 2 3 4 5 6; do stop_instance "$i"; done
    fi
fi
