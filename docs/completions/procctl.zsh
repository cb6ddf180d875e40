#compdef procctl

__procctl_complete() {
    local -ar non_empty_completions=("${@:#(|:*)}")
    local -ar empty_completions=("${(M)@:#(|:*)}")
    _describe -V '' non_empty_completions -- empty_completions -P $'\'\''
}

__procctl_custom_complete() {
    local -a completions
    completions=("${(@f)"$("${command_name}" "${@}" "${command_line[@]}")"}")
    if [[ "${#completions[@]}" -gt 1 ]]; then
        __procctl_complete "${completions[@]:0:-1}"
    fi
}

__procctl_cursor_index_in_current_word() {
    if [[ -z "${QIPREFIX}${IPREFIX}${PREFIX}" ]]; then
        printf 0
    else
        printf %s "${#${(z)LBUFFER}[-1]}"
    fi
}

_procctl() {
    emulate -RL zsh -G
    setopt extendedglob nullglob numericglobsort
    unsetopt aliases banghist

    local -xr SAP_SHELL=zsh
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(builtin emulate zsh -c 'printf %s "${ZSH_VERSION}"')"
    local -r SAP_SHELL_VERSION

    local context state state_descr line
    local -A opt_args

    local -r command_name="${words[1]}"
    local -ar command_line=("${words[@]}")
    local -ir current_word_index="$((CURRENT - 1))"

    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'spawn:Start children that sleep, join them all and report each one'\''s pid and exit code.'
            'isolation:Show that a child'\''s memory is its own: it sets a global to 0, the parent'\''s keeps its value.'
            'run:Run a program with its output passed through, and exit with its exit code.'
            'serve:Serve TCP connections, one forked child each, echoing every byte with a-z upper-cased.'
            'client:Send each line of stdin to an echo server and print its reply.'
            'load:Load an upper-casing echo server and report connections/s, messages/s, MB/s, latency and errors.'
            'bench:Measure what ProcCore costs beside the raw system calls, in one run.'
            'pool:Count primes in T ranges sequentially, then on a process pool; print both times and the speedup.'
            'help:Show subcommand help information.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        spawn|isolation|run|serve|client|load|bench|pool|help)
            "_procctl_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_procctl_spawn() {
    local -i ret=1
    local -ar arg_specs=(
        '--count[How many children to start.]:count:'
        '--sleep[Seconds each child sleeps between its two lines.]:sleep:'
        '--name[Name prefix\: children are named PREFIX-1, PREFIX-2, ...]:name:'
        '--terminate-after[Terminate every child still alive after this many seconds.]:terminate-after:'
        '--json[Print one JSON object at the end; the children'\''s lines go to stderr.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_isolation() {
    local -i ret=1
    local -ar arg_specs=(
        '--value[The global'\''s value before the child starts.]:value:'
        '--json[Print {"child"\: ..., "parent"\: ...} as JSON; the child'\''s value comes from the child.]'
        '--shared[Keep n in memory shared with the child (a SharedValue) instead of a global.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_run() {
    local -i ret=1
    local -ar arg_specs=(
        '--timeout[Seconds to let the program run before SIGTERM (then SIGKILL after 2 s); exit 124.]:timeout:'
        '*:command:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_serve() {
    local -i ret=1
    local -ar ___log_format=('text' 'json')
    local -ar arg_specs=(
        '--host[The numeric address to listen on; 0.0.0.0 for every IPv4 interface (default\: 127.0.0.1).]:host:'
        '--port[The port to listen on; 0 for an ephemeral port (default\: 8080).]:port:'
        '--unix[Listen on a Unix stream socket at this path instead of TCP (not with --host or --port; @NAME\: an abstract name). A socket file left by a server that is gone is replaced; one a live server holds, or any other file, is refused. The file is removed when the server stops.]:path:'
        '--unix-mode[The permissions of the --unix socket'\''s file, in octal (660\: its owner and group may connect; connecting needs write permission), set before anyone can connect (default\: 777 less the umask, as bind(2) makes it).]:mode:'
        '--backlog[How many connections the kernel queues before accept.]:backlog:'
        '--max-children[At most this many connections are served at once; the next ones wait in the backlog (default 256; fork-per-connection only).]:max-children:'
        '--workers[Prefork\: fork this many workers at start, each serving one connection at a time from the shared listener, instead of a child per connection. With -- PROGRAM, each worker runs the program for each of its connections\: N bounds how many are served at once.]:n:'
        '--max-workers[Prefork\: while every worker is busy, fork more (1, 2, 4... per second) up to this many; an extra worker idle for 10 s leaves (default\: --workers).]:m:'
        '--max-requests[Prefork\: a worker that has served this many connections is replaced, between two connections; 0 for never.]:n:'
        '--max-requests-jitter[Prefork\: add a random 0...J to each worker'\''s --max-requests, so that workers are not all replaced at once.]:j:'
        '--worker-timeout[Prefork\: a busy worker that makes no progress for this many seconds (no read or write by it or its program, stuck, spinning or stopped; waiting for its client is not hung) is killed and replaced; 0 for never.]:seconds:'
        '--idle-timeout[Seconds a connection may stay idle before it is closed; 0 for never.]:idle-timeout:'
        '--grace[Seconds live connections may go on after SIGTERM or SIGINT before they are killed.]:grace:'
        '--drain-delay[Seconds the server goes on accepting after SIGTERM or SIGINT while /readyz already answers 503, so that a load balancer'\''s health check takes it out of rotation first (make it longer than the check'\''s interval times its fall count); then it stops accepting and serves what is queued. A second SIGTERM, or SIGQUIT, stops at once.]:seconds:'
        '--quiet[Log errors only.]'
        '--log-format[How stderr'\''s log lines are written\: text, or json (one object per line\: time, level, event, message and the event'\''s fields).]:format:{__procctl_complete "${___log_format[@]}"}'
        '--reuse-port[Set SO_REUSEPORT, so that several independent procctl serve processes (each with --reuse-port) share the port and the kernel spreads connections among them.]'
        '--metrics[The admin address\: serve Prometheus metrics at http\://HOST\:PORT/metrics, /healthz (200 while the server runs) and /readyz (200 while it accepts new connections, 503 while it starts or drains) from the master (port 0\: an ephemeral one); printed as '\''metrics on http\://HOST\:PORT/metrics'\'' once ready.]:host\:port:'
        '--pid-file[Write the server'\''s pid to this file once it serves (the new master'\''s after a SIGUSR2 upgrade); removed at exit if it still holds that pid.]:path:'
        '--proxy-protocol[Behind a load balancer\: every connection must begin with a PROXY protocol header, v1 or v2 (HAProxy'\''s send-proxy or send-proxy-v2, nginx'\''s proxy_protocol on), whose client address becomes the connection'\''s peer (the log, a program'\''s TCPREMOTEIP and TCPREMOTEPORT; its TCPLOCALIP and TCPLOCALPORT are the address the client connected to). A v2 LOCAL header (a health check) keeps the balancer'\''s address. A connection without a valid header within 5 s (or --idle-timeout, when shorter) is closed, logged at most once a second, and counted in the metrics.]'
        '--upgrade-timeout[Seconds a SIGUSR2 upgrade waits for the new master to serve before it kills it and goes on serving.]:seconds:'
        '*:program:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_client() {
    local -i ret=1
    local -ar arg_specs=(
        '--host[The server'\''s numeric IPv4 or IPv6 address (default\: 127.0.0.1).]:host:'
        '--port[The server'\''s port (default\: 8080).]:port:'
        '--unix[The server'\''s Unix stream socket, instead of TCP (not with --host or --port).]:path:'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_load() {
    local -i ret=1
    local -ar arg_specs=(
        '--host[The server'\''s numeric IPv4 or IPv6 address (default\: 127.0.0.1).]:host:'
        '--port[The server'\''s port (default\: 8080).]:port:'
        '--unix[The server'\''s Unix stream socket, instead of TCP (not with --host or --port).]:path:'
        '--connections[Connections in total (default 1000; not with --duration).]:connections:'
        '--duration[Open connections for this many seconds instead of a number of connections.]:duration:'
        '--concurrency[Worker processes, each with one connection open at a time.]:concurrency:'
        '--messages[Messages on each connection, each one waiting for its reply.]:messages:'
        '--size[Bytes in each message.]:size:'
        '--timeout[Seconds each connect, read and write may take.]:timeout:'
        '--deadline[Seconds the whole run may take; connections not started by then are reported as unfinished (default 300; with --duration, the duration plus 10).]:deadline:'
        '--json[Print one JSON object instead of the table.]'
        '--timeline[Add the connections by the second in which they started\: one line per second, or a '\''timeline'\'' array in the JSON.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_bench() {
    local -i ret=1
    local -ar arg_specs=(
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
        '(-): :->command'
        '(-)*:: :->arg'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0
    case "${state}" in
    command)
        local -ar subcommands=(
            'spawn:Time child life cycles: ChildProcess beside pc_fork/fork and pc_spawn/posix_spawn.'
            'ipc:Time IPC round trips, throughput and locks: ProcCore beside raw pipes and socketpairs.'
            'pool:Time ProcessPool tasks that do nothing, and children started through a ForkServer.'
        )
        _describe -V subcommand subcommands && ret=0
        ;;
    arg)
        case "${words[1]}" in
        spawn|ipc|pool)
            "_procctl_bench_${words[1]}" && ret=0
            ;;
        esac
        ;;
    esac

    return "${ret}"
}

_procctl_bench_spawn() {
    local -i ret=1
    local -ar ___method=('fork' 'exec')
    local -ar arg_specs=(
        '--iterations[Children per variant (after a short warm-up).]:iterations:'
        '--method[fork or exec; both when omitted.]:method:{__procctl_complete "${___method[@]}"}'
        '--json[Print one JSON object instead of the table.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_bench_ipc() {
    local -i ret=1
    local -ar arg_specs=(
        '--rounds[Rounds\: each interleaves every variant, and yields one median for each.]:rounds:'
        '--round-trips[Round trips per variant and round, one of each variant in turn, each timed.]:round-trips:'
        '--batches[Batches of 16 64-KiB messages per throughput variant and round, one of each in turn.]:batches:'
        '--increments[Increments per process, per lock variant and round.]:increments:'
        '--json[Print one JSON object instead of the table.]'
        '--same-cpu[Run the parent and every child on the CPU the run starts on.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_bench_pool() {
    local -i ret=1
    local -ar arg_specs=(
        '--tasks[Tasks per measurement (map with default chunking runs 10 x this many).]:tasks:'
        '--workers[Pool workers (the anchors use 2).]:workers:'
        '--rounds[Rounds of each pool measurement; the median is reported.]:rounds:'
        '--children[Children per start+join measurement.]:children:'
        '--json[Print one JSON object instead of the lines.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_pool() {
    local -i ret=1
    local -ar arg_specs=(
        '--workers[Worker processes (default\: the number of cores).]:workers:'
        '--tasks[Tasks\: ranges of numbers to count primes in.]:tasks:'
        '--span[Numbers in each range.]:span:'
        '--json[Print one JSON object instead of the lines.]'
        '--version[Show the version.]'
        '(-h --help)'{-h,--help}'[Show help information.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

_procctl_help() {
    local -i ret=1
    local -ar arg_specs=(
        '*:subcommands:'
        '--version[Show the version.]'
    )
    _arguments -w -s -S : "${arg_specs[@]}" && ret=0

    return "${ret}"
}

if [[ "${funcstack[1]}" = _procctl ]]; then
    _procctl "${@}"
else
    compdef _procctl procctl
fi
