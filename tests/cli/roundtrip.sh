#!/usr/bin/env bash
# Round trips through Parquet: CSV -> Parquet -> CSV and JSON Lines ->
# Parquet -> JSON Lines read back with the same values; format options
# reach the side that takes them in `tarn convert`, and `tarn cat` passes
# reader options through.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"
"$TARN" gen tpch --sf 0.01 --format tbl --out tbl --quiet || fail "gen"

# pipe-delimited text without a header: reader options on the input side,
# writer options on the output side, in one command
expect_rc 0 "$TARN" convert tbl/orders.tbl orders.parquet --from csv --delimiter '|' --header false \
    --compression zstd:3 --row-group-size 5000
expect_rc 0 "$TARN" cat orders.parquet --format jsonl --limit 1
expect_in out '"column0":1,'
# CSV -> Parquet -> CSV -> Parquet: the values survive, and the CSV read back equals the first
expect_rc 0 "$TARN" convert orders.parquet orders.csv
expect_rc 0 "$TARN" convert orders.csv orders2.parquet
expect_rc 0 "$TARN" convert orders2.parquet orders2.csv
cmp -s <("$TARN" cat orders.csv --format jsonl) <("$TARN" cat orders2.csv --format jsonl) ||
    fail "CSV -> Parquet -> CSV changed values"
cmp -s <("$TARN" cat orders.parquet --format jsonl) <("$TARN" cat orders2.parquet --format jsonl) ||
    fail "Parquet written from the CSV differs from the first"
# JSON Lines -> Parquet -> JSON Lines, nested values included
expect_rc 0 "$TARN" example ex.arrow
expect_rc 0 "$TARN" convert ex.arrow ex.jsonl
expect_rc 0 "$TARN" convert ex.jsonl ex.parquet
expect_rc 0 "$TARN" convert ex.parquet ex2.jsonl
cmp -s <("$TARN" cat ex.jsonl --format jsonl) <("$TARN" cat ex2.jsonl --format jsonl) ||
    fail "JSON -> Parquet -> JSON changed values: $(diff <("$TARN" cat ex.jsonl --format jsonl) <("$TARN" cat ex2.jsonl --format jsonl) | head -5)"
# an explicit side, and a key neither side takes
expect_rc 0 "$TARN" convert tbl/region.tbl region.csv --from csv --in-delimiter '|' --in-header false --out-delimiter ';'
expect_rc 0 "$TARN" cat region.csv --delimiter ';' --format jsonl --limit 1
expect_in out '"column0":0,"column1":"AFRICA"'
expect_rc 1 "$TARN" convert tbl/region.tbl r.parquet --from csv --nonsense 1
expect_in err "unknown option 'nonsense' for writing format parquet"
expect_rc 1 "$TARN" cat tbl/region.tbl --from csv --on-error sometimes
expect_in err "on_error"
finish
