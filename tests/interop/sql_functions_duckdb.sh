#!/usr/bin/env bash
# The scalar function tests' expected values are DuckDB's: run every case of
# tests/unit/test_sql_functions.c in DuckDB (sql_functions_duckdb.mjs).
set -euo pipefail
: "${TARN_SOURCE_DIR:?}"
mods="$TARN_SOURCE_DIR/peers/node_modules"
[ -d "$mods/@duckdb/node-api" ] || { echo "FAIL: DuckDB peer missing at $mods" >&2; exit 1; }
node "$TARN_SOURCE_DIR/tests/interop/sql_functions_duckdb.mjs" \
  "$TARN_SOURCE_DIR/tests/unit/test_sql_functions.c" "$mods/@duckdb/node-api/lib/index.js"
