#!/usr/bin/env bash
# Fuzzes ProxyHeaderParser (the PROXY protocol header, v1 and v2) with libFuzzer: every
# input is parsed as a connection's first bytes; a trap, a crash, a leak or a broken
# promise to the reader (see Fuzz/ProxyHeaderFuzz) is a finding.
#
#   Benchmarks/fuzz-proxy-header.sh [SECONDS]   (default 300; run under nice on a shared machine)
#
# Built as fuzz-decoder.sh builds its target (PROCCTL_FUZZ, its own build directory).
# Findings go to Fuzz/findings/; the corpus grows in a scratch directory, seeded from
# Fuzz/proxy-corpus (headers of every kind balancers send).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
cd "$root"
export PROCCTL_FUZZ=1
swift build --build-path .build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --product ProxyHeaderFuzz
bin="$(swift build --build-path .build-fuzz -c debug --show-bin-path)/ProxyHeaderFuzz"
corpus=${FUZZ_CORPUS:-/tmp/procctl-proxy-header-corpus}
mkdir -p "$corpus" Fuzz/findings
cp -n Fuzz/proxy-corpus/* "$corpus"/ 2>/dev/null || true
# -max_len: past the longest v2 header (4096 bytes), so that "too long" is reached.
exec "$bin" "$corpus" -max_total_time="$seconds" -max_len=4200 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=Fuzz/findings/ -print_final_stats=1
