#!/usr/bin/env bash
# The SQL corpus tests/slt/*.slt agrees with DuckDB: every statement runs (or
# fails where an error is expected) and every query returns the recorded
# result, rendered by the same rules as the C runner (tests/slt/check_duckdb.mjs).
# This keeps the expected results of the corpus honest; tarn itself is
# checked against the same files by the slt_corpus test; the known gaps in
# tests/slt/gaps/ are checked here too, so their expectations stay right.
set -euo pipefail
: "${TARN_SOURCE_DIR:?}"
mods="$TARN_SOURCE_DIR/peers/node_modules"
[ -d "$mods/@duckdb/node-api" ] || { echo "FAIL: DuckDB peer missing at $mods" >&2; exit 1; }
shopt -s nullglob
files=("$TARN_SOURCE_DIR"/tests/slt/*.slt "$TARN_SOURCE_DIR"/tests/slt/gaps/*.slt)
[ ${#files[@]} -gt 0 ] || { echo "FAIL: no .slt files in tests/slt" >&2; exit 1; }
cd "$TARN_SOURCE_DIR/tests/slt"
node check_duckdb.mjs "${files[@]}"
