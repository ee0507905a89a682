#!/usr/bin/env bash
# Generate TPC-H at SF 0.01 with tarn and check it in DuckDB: counts, key
# integrity, o_totalprice, and the 22 queries' known result shapes (see
# tpch_duckdb.mjs for what is checked per query). Uses `tarn gen tpch` when
# the CLI has it, else the test-only writer in test_tpch.
set -euo pipefail
: "${TARN_SOURCE_DIR:?}" "${TARN_BUILD_DIR:?}"
mods="$TARN_SOURCE_DIR/peers/node_modules"
[ -d "$mods/@duckdb/node-api" ] || { echo "FAIL: DuckDB peer missing at $mods" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${TARN:-}" ] && [ -x "$TARN" ] && "$TARN" gen --help >/dev/null 2>&1; then
  "$TARN" gen tpch --sf 0.01 --format tbl --out "$tmp/data"
else
  "$TARN_BUILD_DIR/test_tpch" write "$tmp/data" 0.01
fi
for t in part supplier partsupp customer orders lineitem nation region; do
  [ -s "$tmp/data/$t.tbl" ] || { echo "FAIL: $t.tbl not written" >&2; exit 1; }
done
SF=0.01 node "$TARN_SOURCE_DIR/tests/interop/tpch_duckdb.mjs" "$tmp/data" \
  "$TARN_SOURCE_DIR/bench/queries/tpch" "$mods/@duckdb/node-api/lib/index.js"
