#!/usr/bin/env bash
# tarn's main job, step by step, on local disk with no server and no input
# data: write the built-in example as an Arrow IPC file, inspect it, convert
# it (compressed IPC stream, JSON Lines, CSV) and read the results back.
# Usage: bash scripts/demo-steps.sh path/to/tarn   (scripts/demo.sh calls it)
set -euo pipefail
tarn=$(cd "$(dirname "${1:?usage: demo-steps.sh path/to/tarn}")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

bold='' plain=''
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
# step "what it shows" command...: narrate, echo the command, run it
step() {
    printf '\n%s== %s%s\n$ tarn %s\n' "$bold" "$1" "$plain" "${*:3}"
    "${@:2}"
}

step "Write a small example dataset as an Arrow IPC file" \
    "$tarn" example orders.arrow
step "Its columns and types" \
    "$tarn" schema orders.arrow
step "Its rows as a table (numbers right-aligned, NULLs shown, nested values as JSON)" \
    "$tarn" cat orders.arrow --columns id,customer,amount,qty,ordered_at,tags --max-width 120
step "Only a few rows of a long result: the middle is left out" \
    "$tarn" cat orders.arrow --columns id,customer,amount --max-rows 4
step "Convert to a zstd-compressed Arrow IPC stream" \
    "$tarn" convert orders.arrow orders.arrows --compression zstd
step "Read the stream back: the same rows" \
    "$tarn" cat orders.arrows --columns id,customer,day,size,paid
step "Convert to JSON Lines (exact decimals, ISO-8601 UTC timestamps)" \
    "$tarn" convert orders.arrows orders.jsonl --columns id,customer,amount,ordered_at,tags --limit 3
cat orders.jsonl
step "Convert to CSV (RFC 4180 quoting; NULL is an empty field)" \
    "$tarn" convert orders.arrow orders.csv --columns id,customer,qty,tags
cat orders.csv
step "Print straight to CSV or JSON Lines" \
    "$tarn" cat orders.arrows --format jsonl --columns id,size --limit 2
step "A mistyped column is a clear one-line error" \
    "$tarn" cat orders.arrow --columns id,custmer || true
printf '\nfiles written:\n'
ls -l "$work" | tail -n +2
