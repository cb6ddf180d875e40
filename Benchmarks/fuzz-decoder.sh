#!/usr/bin/env bash
# Fuzzes BinaryDecoder with libFuzzer: every input is decoded as several types; a trap, a
# crash, a leak or a value that changes in an encode/decode round trip is a finding.
#
#   Benchmarks/fuzz-decoder.sh [SECONDS]      (default 300; run under nice on a shared machine)
#
# The target is declared only when PROCCTL_FUZZ is set (see Package.swift), in a build
# directory of its own, so plain builds are not touched. Findings go to Fuzz/findings/;
# the corpus grows in a scratch directory, seeded from Fuzz/corpus.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
cd "$root"
export PROCCTL_FUZZ=1
swift build --build-path .build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --product DecoderFuzz
bin="$(swift build --build-path .build-fuzz -c debug --show-bin-path)/DecoderFuzz"
corpus=${FUZZ_CORPUS:-/tmp/procctl-decoder-corpus}
mkdir -p "$corpus" Fuzz/findings
cp -n Fuzz/corpus/* "$corpus"/ 2>/dev/null || true
exec "$bin" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=Fuzz/findings/ -print_final_stats=1
