#!/usr/bin/env bash
# Row groups by bytes close where the rows reach the limit, not where the
# reader's batches end: a CSV parsed in parallel chunks (their number follows
# the thread count) converts to the same bytes with 1, 2 and 3 threads.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"

"$TARN" gen tpch --sf 0.01 --out "$tmp/tbl" --format tbl --threads 1 --quiet || fail "gen"
for t in 1 2 3; do
    expect_rc 0 "$TARN" --threads $t convert "$tmp/tbl/lineitem.tbl" "t$t.parquet" --in-format csv --in-delimiter '|' --in-header false \
        --row-group-size 1MB
done
expect_rc 0 "$TARN" parquet meta t1.parquet
groups=$(awk '/^row groups:/ {print $3}' "$tmp/out")
[ "${groups:-0}" -gt 3 ] || fail "expected several row groups, got '${groups:-}'"
cmp -s t1.parquet t2.parquet || fail "2 threads: other bytes than 1"
cmp -s t1.parquet t3.parquet || fail "3 threads: other bytes than 1"
finish
