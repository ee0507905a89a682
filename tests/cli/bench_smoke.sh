#!/usr/bin/env bash
# Smoke test of the benchmark harness at a tiny scale (SF 0.01, one
# repetition): it prepares data with tarn's generator, runs the peers, and
# writes results tables with the expected rows. No timing is asserted.
set -euo pipefail
: "${TARN_SOURCE_DIR:?}" "${TARN_BUILD_DIR:?}"
TARN=${TARN:-$TARN_BUILD_DIR/tarn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { "$TARN_SOURCE_DIR/bench/run" "$@" --sf 0.01 --reps 1 --threads 2 --data "$tmp/data" --out "$tmp/results" --build "$TARN_BUILD_DIR"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

# A number in the median column; "rows" is the last column.
row_ok() { # file task engine rows
  grep -F "| $2 | $3 |" "$1" | grep -Eq "^\| [^|]+ \| [^|]+ \| [0-9.]+ \| [0-9.]+ \| [0-9.]+ \|.*\| $4 \|$" ||
    fail "$1 lacks a measured row for $2 / $3 with $4 rows: $(grep -F "| $3 |" "$1" || true)"
}

run gen >/dev/null
gen="$tmp/results/gen-$(date -u +%F).md"
[ -f "$gen" ] || fail "no $gen"
row_ok "$gen" "TPC-H sf 0.01, all tables, .tbl text" tarn "—"
if "$TARN" gen --help >/dev/null 2>&1; then
  row_ok "$gen" "TPC-H sf 0.01, all tables, Arrow IPC" tarn "—"
fi
grep -q "| duckdb | CALL dbgen needs the tpch extension" "$gen" || fail "gen: DuckDB's absence is not explained"
grep -q "^- DuckDB: @duckdb/node-api " "$gen" || fail "gen: peer versions missing"

# The data the harness generated is the generator's: 8 tables, lineitem rows.
lines=$(wc -l < "$tmp/data/sf0.01/tbl/lineitem.tbl")
[ "$lines" -gt 55000 ] || fail "lineitem.tbl has $lines lines"
[ "$(ls "$tmp/data/sf0.01/tbl" | wc -l)" -eq 8 ] || fail "not 8 tables"

run csv >/dev/null
csv="$tmp/results/csv-$(date -u +%F).md"
row_ok "$csv" "read lineitem.tbl (pipe-delimited text, all columns)" duckdb "$lines"
if [ -x "$TARN_BUILD_DIR/bench_io" ]; then
  row_ok "$csv" "read lineitem.tbl (pipe-delimited text, all columns)" tarn "$lines"
else # builds without benchmark programs (the sanitizer build) say why
  grep -q "| tarn | not yet available: needs the CSV reader (build bench_io)" "$csv" || fail "csv: no tarn row"
fi
row_ok "$csv" "read lineitem.tbl (pipe-delimited text, all columns)" polars "$lines"
# text to Parquet: rows counted from each engine's output file
conv="lineitem.tbl (delimited text) to Parquet (snappy)"
row_ok "$csv" "$conv" duckdb "$lines"
row_ok "$csv" "$conv" polars "$lines"
if [ -x "$TARN_BUILD_DIR/bench_io" ]; then
  row_ok "$csv" "$conv" tarn "$lines"
else
  grep -q "| $conv | tarn | not yet available: needs the CSV reader and Parquet writer" "$csv" || fail "csv: no tarn row for $conv"
fi

run tpch --queries 1,6,13 >/dev/null
tpch="$tmp/results/tpch-$(date -u +%F).md"
row_ok "$tpch" Q1 duckdb 4
row_ok "$tpch" Q6 duckdb 1
grep -q "| duckdb |" "$tpch" && grep -Fq "| Q13 | duckdb |" "$tpch" || fail "tpch: Q13 missing"
# Polars runs Q1 (its INTERVAL respelled) and Q6; Q13's join condition is
# beyond its SQL, and the table carries Polars' own message for it.
row_ok "$tpch" Q1 polars 4
row_ok "$tpch" Q6 polars 1
grep -Fq "| Q13 | polars | error: polars: unsupported join constraint expression: Like { … } |" "$tpch" ||
  fail "tpch: Q13 lacks Polars' message: $(grep -F "| Q13 | polars |" "$tpch" || true)"
grep -q "collectSync is not a function" "$tpch" && fail "tpch: a Polars error hides its message"
if "$TARN" sql --help >/dev/null 2>&1; then # tarn runs `tarn sql -f` of views + the query
  row_ok "$tpch" Q1 tarn 4
  row_ok "$tpch" Q6 tarn 1
else
  grep -q "| tarn | not yet available: needs the SQL engine" "$tpch" || fail "tpch: no tarn row"
fi
# the spilling run: a memory limit for tarn and DuckDB, its own results file
run tpch --queries 1 --memory-limit 500MB >/dev/null
tpch_mem="$tmp/results/tpch-mem500MB-$(date -u +%F).md"
row_ok "$tpch_mem" Q1 duckdb 4
grep -q "memory limit 500MB" "$tpch_mem" || fail "tpch: the memory limit is not recorded"
if "$TARN" sql --help >/dev/null 2>&1; then row_ok "$tpch_mem" Q1 tarn 4; fi

# Parquet writes: every engine timed on the write alone, each saying what
# its time covers; tarn's rows are counted back from its output file.
run parquet-write >/dev/null
pw="$tmp/results/parquet-write-$(date -u +%F).md"
row_ok "$pw" "write lineitem as Parquet (snappy)" duckdb "$lines"
if [ -x "$TARN_BUILD_DIR/bench_io" ]; then
  row_ok "$pw" "write lineitem as Parquet (zstd)" tarn "$lines"
  grep -q "^- tarn: bench_io load-write" "$pw" || fail "parquet-write: what tarn's time covers is not said"
fi

# Bad arguments are refused with a usage message.
if "$TARN_SOURCE_DIR/bench/run" nosuch 2>"$tmp/err"; then fail "unknown suite accepted"; fi
grep -q 'unknown suite "nosuch"' "$tmp/err" || fail "no message for an unknown suite"
if "$TARN_SOURCE_DIR/bench/run" gen --sf -1 2>/dev/null; then fail "negative sf accepted"; fi
echo "bench smoke: ok"
