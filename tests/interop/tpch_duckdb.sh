#!/usr/bin/env bash
# Generate TPC-H at SF 0.01 with tarn and check it in DuckDB: counts, key
# integrity, o_totalprice, and the 22 queries' known result shapes (see
# tpch_duckdb.mjs for what is checked per query). Done twice: from the .tbl
# text tarn writes itself, and from CSV through tarn's CSV writer. Uses
# `tarn gen tpch`; without the CLI, the test-only writer in test_tpch (tbl).
set -euo pipefail
: "${TARN_SOURCE_DIR:?}" "${TARN_BUILD_DIR:?}"
mods="$TARN_SOURCE_DIR/peers/node_modules"
[ -d "$mods/@duckdb/node-api" ] || { echo "FAIL: DuckDB peer missing at $mods" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() { # dir format
  for t in part supplier partsupp customer orders lineitem nation region; do
    [ -s "$1/$t.$2" ] || { echo "FAIL: $t.$2 not written" >&2; exit 1; }
  done
  echo "== $2"
  SF=0.01 node "$TARN_SOURCE_DIR/tests/interop/tpch_duckdb.mjs" "$1" \
    "$TARN_SOURCE_DIR/bench/queries/tpch" "$mods/@duckdb/node-api/lib/index.js" "$2"
}
if [ -n "${TARN:-}" ] && [ -x "$TARN" ] && "$TARN" gen --help >/dev/null 2>&1; then
  "$TARN" gen tpch --sf 0.01 --format tbl --out "$tmp/tbl" --quiet
  check "$tmp/tbl" tbl
  "$TARN" gen tpch --sf 0.01 --format csv --out "$tmp/csv" --quiet
  check "$tmp/csv" csv
else
  echo "note: no 'tarn gen' in this build; generating through test_tpch (tbl only)"
  "$TARN_BUILD_DIR/test_tpch" write "$tmp/tbl" 0.01
  check "$tmp/tbl" tbl
fi
