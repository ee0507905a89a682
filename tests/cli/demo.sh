#!/usr/bin/env bash
# The demo script (scripts/demo-steps.sh) runs to the end against this build
# and shows what it promises: the schema, a table, the converted files.
source "$(dirname "$0")/lib/check.bash"
run bash "$TARN_SOURCE_DIR/scripts/demo-steps.sh" "$TARN"
[ "$rc" -eq 0 ] || fail "demo-steps.sh exited $rc: $(tail -5 "$tmp/err")"
expect_in out "== Generate TPC-H" "lake/lineitem.parquet" "l_shipdate: date32 not null" "o_orderdate: date32 (YYYY-MM-DD)" "8 objects" \
    "== Write a small example dataset" "ordered_at: timestamp[us, tz=UTC]" "│ Zoë      │" \
    "8 rows (4 shown)" '{"id":1,"customer":"Ada","amount":19.99' '4,,10,' \
    orders.arrows orders.csv orders.jsonl
expect_in err "tarn: column 'custmer' not found in orders.arrow (closest: 'customer')"
finish
