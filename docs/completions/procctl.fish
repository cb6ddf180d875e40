function __procctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __procctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __procctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __procctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __procctl_parse_tokens -S
    set -l unparsed_tokens (__procctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'procctl'
        __procctl_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'spawn'
            __procctl_parse_subcommand 0 'count=' 'sleep=' 'name=' 'terminate-after=' 'json' 'version' 'h/help'
        case 'isolation'
            __procctl_parse_subcommand 0 'value=' 'json' 'shared' 'version' 'h/help'
        case 'run'
            __procctl_parse_subcommand -r 1 'timeout=' 'version' 'h/help'
        case 'serve'
            __procctl_parse_subcommand -r 1 'host=' 'port=' 'unix=' 'unix-mode=' 'backlog=' 'max-children=' 'workers=' 'max-workers=' 'max-requests=' 'max-requests-jitter=' 'worker-timeout=' 'idle-timeout=' 'grace=' 'drain-delay=' 'quiet' 'log-format=' 'reuse-port' 'metrics=' 'pid-file=' 'proxy-protocol' 'upgrade-timeout=' 'version' 'h/help'
        case 'client'
            __procctl_parse_subcommand 0 'host=' 'port=' 'unix=' 'version' 'h/help'
        case 'load'
            __procctl_parse_subcommand 0 'host=' 'port=' 'unix=' 'connections=' 'duration=' 'concurrency=' 'messages=' 'size=' 'timeout=' 'deadline=' 'json' 'timeline' 'version' 'h/help'
        case 'bench'
            __procctl_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'spawn'
                __procctl_parse_subcommand 0 'iterations=' 'method=' 'json' 'version' 'h/help'
            case 'ipc'
                __procctl_parse_subcommand 0 'rounds=' 'round-trips=' 'batches=' 'increments=' 'json' 'same-cpu' 'version' 'h/help'
            case 'pool'
                __procctl_parse_subcommand 0 'tasks=' 'workers=' 'rounds=' 'children=' 'json' 'version' 'h/help'
            end
        case 'pool'
            __procctl_parse_subcommand 0 'workers=' 'tasks=' 'span=' 'json' 'version' 'h/help'
        case 'help'
            __procctl_parse_subcommand -r 1 'version'
        end
    end
end

function __procctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __procctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __procctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __procctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__procctl_tokens -p)
    if test -z "$(__procctl_tokens -t)"
        set -l index (count (__procctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'procctl' -f
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'spawn' -d 'Start children that sleep, join them all and report each one\'s pid and exit code.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'isolation' -d 'Show that a child\'s memory is its own: it sets a global to 0, the parent\'s keeps its value.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'run' -d 'Run a program with its output passed through, and exit with its exit code.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'serve' -d 'Serve TCP connections, one forked child each, echoing every byte with a-z upper-cased.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'client' -d 'Send each line of stdin to an echo server and print its reply.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'load' -d 'Load an upper-casing echo server and report connections/s, messages/s, MB/s, latency and errors.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'bench' -d 'Measure what ProcCore costs beside the raw system calls, in one run.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'pool' -d 'Count primes in T ranges sequentially, then on a process pool; print both times and the speedup.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl spawn" count' -l 'count' -d 'How many children to start.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl spawn" sleep' -l 'sleep' -d 'Seconds each child sleeps between its two lines.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl spawn" name' -l 'name' -d 'Name prefix: children are named PREFIX-1, PREFIX-2, ...' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl spawn" terminate-after' -l 'terminate-after' -d 'Terminate every child still alive after this many seconds.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl spawn" json' -l 'json' -d 'Print one JSON object at the end; the children\'s lines go to stderr.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl spawn" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl spawn" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl isolation" value' -l 'value' -d 'The global\'s value before the child starts.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl isolation" json' -l 'json' -d 'Print {"child": ..., "parent": ...} as JSON; the child\'s value comes from the child.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl isolation" shared' -l 'shared' -d 'Keep n in memory shared with the child (a SharedValue) instead of a global.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl isolation" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl isolation" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl run" timeout' -l 'timeout' -d 'Seconds to let the program run before SIGTERM (then SIGKILL after 2 s); exit 124.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl run" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" host' -l 'host' -d 'The numeric address to listen on; 0.0.0.0 for every IPv4 interface (default: 127.0.0.1).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" port' -l 'port' -d 'The port to listen on; 0 for an ephemeral port (default: 8080).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" unix' -l 'unix' -d 'Listen on a Unix stream socket at this path instead of TCP (not with --host or --port; @NAME: an abstract name). A socket file left by a server that is gone is replaced; one a live server holds, or any other file, is refused. The file is removed when the server stops.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" unix-mode' -l 'unix-mode' -d 'The permissions of the --unix socket\'s file, in octal (660: its owner and group may connect; connecting needs write permission), set before anyone can connect (default: 777 less the umask, as bind(2) makes it).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" backlog' -l 'backlog' -d 'How many connections the kernel queues before accept.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" max-children' -l 'max-children' -d 'At most this many connections are served at once; the next ones wait in the backlog (default 256; fork-per-connection only).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" workers' -l 'workers' -d 'Prefork: fork this many workers at start, each serving one connection at a time from the shared listener, instead of a child per connection. With -- PROGRAM, each worker runs the program for each of its connections: N bounds how many are served at once.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" max-workers' -l 'max-workers' -d 'Prefork: while every worker is busy, fork more (1, 2, 4... per second) up to this many; an extra worker idle for 10 s leaves (default: --workers).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" max-requests' -l 'max-requests' -d 'Prefork: a worker that has served this many connections is replaced, between two connections; 0 for never.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" max-requests-jitter' -l 'max-requests-jitter' -d 'Prefork: add a random 0...J to each worker\'s --max-requests, so that workers are not all replaced at once.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" worker-timeout' -l 'worker-timeout' -d 'Prefork: a busy worker that makes no progress for this many seconds (no read or write by it or its program, stuck, spinning or stopped; waiting for its client is not hung) is killed and replaced; 0 for never.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" idle-timeout' -l 'idle-timeout' -d 'Seconds a connection may stay idle before it is closed; 0 for never.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" grace' -l 'grace' -d 'Seconds live connections may go on after SIGTERM or SIGINT before they are killed.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" drain-delay' -l 'drain-delay' -d 'Seconds the server goes on accepting after SIGTERM or SIGINT while /readyz already answers 503, so that a load balancer\'s health check takes it out of rotation first (make it longer than the check\'s interval times its fall count); then it stops accepting and serves what is queued. A second SIGTERM, or SIGQUIT, stops at once.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" quiet' -l 'quiet' -d 'Log errors only.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" log-format' -l 'log-format' -d 'How stderr\'s log lines are written: text, or json (one object per line: time, level, event, message and the event\'s fields).' -rfka 'text json'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" reuse-port' -l 'reuse-port' -d 'Set SO_REUSEPORT, so that several independent procctl serve processes (each with --reuse-port) share the port and the kernel spreads connections among them.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" metrics' -l 'metrics' -d 'The admin address: serve Prometheus metrics at http://HOST:PORT/metrics, /healthz (200 while the server runs) and /readyz (200 while it accepts new connections, 503 while it starts or drains) from the master (port 0: an ephemeral one); printed as \'metrics on http://HOST:PORT/metrics\' once ready.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" pid-file' -l 'pid-file' -d 'Write the server\'s pid to this file once it serves (the new master\'s after a SIGUSR2 upgrade); removed at exit if it still holds that pid.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" proxy-protocol' -l 'proxy-protocol' -d 'Behind a load balancer: every connection must begin with a PROXY protocol header, v1 or v2 (HAProxy\'s send-proxy or send-proxy-v2, nginx\'s proxy_protocol on), whose client address becomes the connection\'s peer (the log, a program\'s TCPREMOTEIP and TCPREMOTEPORT; its TCPLOCALIP and TCPLOCALPORT are the address the client connected to). A v2 LOCAL header (a health check) keeps the balancer\'s address. A connection without a valid header within 5 s (or --idle-timeout, when shorter) is closed, logged at most once a second, and counted in the metrics.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" upgrade-timeout' -l 'upgrade-timeout' -d 'Seconds a SIGUSR2 upgrade waits for the new master to serve before it kills it and goes on serving.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl client" host' -l 'host' -d 'The server\'s numeric IPv4 or IPv6 address (default: 127.0.0.1).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl client" port' -l 'port' -d 'The server\'s port (default: 8080).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl client" unix' -l 'unix' -d 'The server\'s Unix stream socket, instead of TCP (not with --host or --port).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl client" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl client" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" host' -l 'host' -d 'The server\'s numeric IPv4 or IPv6 address (default: 127.0.0.1).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" port' -l 'port' -d 'The server\'s port (default: 8080).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" unix' -l 'unix' -d 'The server\'s Unix stream socket, instead of TCP (not with --host or --port).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" connections' -l 'connections' -d 'Connections in total (default 1000; not with --duration).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" duration' -l 'duration' -d 'Open connections for this many seconds instead of a number of connections.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" concurrency' -l 'concurrency' -d 'Worker processes, each with one connection open at a time.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" messages' -l 'messages' -d 'Messages on each connection, each one waiting for its reply.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" size' -l 'size' -d 'Bytes in each message.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" timeout' -l 'timeout' -d 'Seconds each connect, read and write may take.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" deadline' -l 'deadline' -d 'Seconds the whole run may take; connections not started by then are reported as unfinished (default 300; with --duration, the duration plus 10).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" json' -l 'json' -d 'Print one JSON object instead of the table.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" timeline' -l 'timeline' -d 'Add the connections by the second in which they started: one line per second, or a \'timeline\' array in the JSON.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl load" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl bench" -eq 1' -fa 'spawn' -d 'Time child life cycles: ChildProcess beside pc_fork/fork and pc_spawn/posix_spawn.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl bench" -eq 1' -fa 'ipc' -d 'Time IPC round trips, throughput and locks: ProcCore beside raw pipes and socketpairs.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_positional "procctl bench" -eq 1' -fa 'pool' -d 'Time ProcessPool tasks that do nothing, and children started through a ForkServer.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench spawn" iterations' -l 'iterations' -d 'Children per variant (after a short warm-up).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench spawn" method' -l 'method' -d 'fork or exec; both when omitted.' -rfka 'fork exec'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench spawn" json' -l 'json' -d 'Print one JSON object instead of the table.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench spawn" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench spawn" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench ipc" rounds' -l 'rounds' -d 'Rounds: each interleaves every variant, and yields one median for each.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench ipc" round-trips' -l 'round-trips' -d 'Round trips per variant and round, one of each variant in turn, each timed.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench ipc" batches' -l 'batches' -d 'Batches of 16 64-KiB messages per throughput variant and round, one of each in turn.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench ipc" increments' -l 'increments' -d 'Increments per process, per lock variant and round.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench ipc" json' -l 'json' -d 'Print one JSON object instead of the table.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench ipc" same-cpu' -l 'same-cpu' -d 'Run the parent and every child on the CPU the run starts on.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench ipc" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench ipc" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench pool" tasks' -l 'tasks' -d 'Tasks per measurement (map with default chunking runs 10 x this many).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench pool" workers' -l 'workers' -d 'Pool workers (the anchors use 2).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench pool" rounds' -l 'rounds' -d 'Rounds of each pool measurement; the median is reported.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench pool" children' -l 'children' -d 'Children per start+join measurement.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench pool" json' -l 'json' -d 'Print one JSON object instead of the lines.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench pool" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl bench pool" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl pool" workers' -l 'workers' -d 'Worker processes (default: the number of cores).' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl pool" tasks' -l 'tasks' -d 'Tasks: ranges of numbers to count primes in.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl pool" span' -l 'span' -d 'Numbers in each range.' -rfka ''
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl pool" json' -l 'json' -d 'Print one JSON object instead of the lines.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl pool" version' -l 'version' -d 'Show the version.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl pool" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'procctl' -n '__procctl_should_offer_completions_for_flags_or_options "procctl help" version' -l 'version' -d 'Show the version.'
