#!/usr/bin/env bash
# Builds what documents procctl and ProcCore, with the tools the package already uses:
# - ProcCore's DocC reference (swift-docc-plugin), warnings as errors: .build/docs/ProcCore.doccarchive
# - procctl's man page (swift-argument-parser's generate-manual plugin): docs/man/procctl.1
# - the shell completion scripts (procctl --generate-completion-script): docs/completions/
# and fails when a public symbol of ProcCore has no doc comment (Scripts/undocumented-symbols.py).
# Preview the reference in a browser with:
#   swift package --disable-sandbox preview-documentation --target ProcCore
set -euo pipefail
cd "$(dirname "$0")/.."

swift package dump-symbol-graph --minimum-access-level public > /dev/null
python3 Scripts/undocumented-symbols.py

rm -rf .build/docs && mkdir -p .build/docs
swift package --allow-writing-to-directory .build/docs \
    generate-documentation --target ProcCore --warnings-as-errors \
    --output-path .build/docs/ProcCore.doccarchive

# The man page's date (.Dd) is the day its text last changed, so that regenerating it
# changes nothing while the commands are the same: when only the date differs from the
# page as it was, the page is left as it was. A changed page gets today's date, or
# SOURCE_DATE_EPOCH's when that is set (reproducible builds' convention).
mkdir -p docs/man
man=docs/man/procctl.1
previous="$(mktemp)"
trap 'rm -f "$previous"' EXIT
cp "$man" "$previous" 2>/dev/null || : > "$previous"
date_option=()
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
    date_option=(--date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)")
fi
swift package --allow-writing-to-package-directory \
    generate-manual --configuration debug --output-directory docs/man "${date_option[@]}"
if cmp -s <(grep -v '^\.Dd ' "$man") <(grep -v '^\.Dd ' "$previous"); then
    cp "$previous" "$man"
fi

swift build --product procctl
procctl="$(swift build --show-bin-path)/procctl"
mkdir -p docs/completions
for shell in bash zsh fish; do
    "$procctl" --generate-completion-script "$shell" > "docs/completions/procctl.$shell"
done
echo "docs: .build/docs/ProcCore.doccarchive, docs/man/procctl.1, docs/completions/"
