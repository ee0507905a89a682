#!/usr/bin/env bash
# Types tarn writes read back as the same types by DuckDB: times of day
# (TIME with isAdjustedToUTC false — true would read as TIME WITH TIME
# ZONE), timestamps and dates, with the same values.
set -euo pipefail
: "${TARN:?}" "${TARN_SOURCE_DIR:?}"
[ -d "$TARN_SOURCE_DIR/peers/node_modules/@duckdb/node-api" ] || { echo "DuckDB peer missing"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
duck() { node "$TARN_SOURCE_DIR/tests/interop/parquet_types_duckdb.mjs" "$@"; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

duck write d.parquet
"$TARN" convert d.parquet t.parquet
duck describe d.parquet >want.txt
duck describe t.parquet >got.txt
grep -qx "t TIME" got.txt || fail "DuckDB reads tarn's time column as: $(grep '^t ' got.txt)"
cmp -s want.txt got.txt || fail "types differ: $(diff want.txt got.txt | tr '\n' ' ')"
[ "$(duck differ d.parquet t.parquet)" = 0 ] || fail "values differ"
[ "$fails" -eq 0 ]
