#!/usr/bin/env bash
# GROUP BY under a memory budget that refuses its hash tables: the hash
# aggregate spills its input rows by hash partition and aggregates them
# partition by partition, so every query gives the same answer as without
# the budget, with EXPLAIN ANALYZE showing spilled bytes on the aggregate.
# Covers plain, DISTINCT and ORDER BY aggregates, median / quantiles,
# approx_count_distinct, string_agg / array_agg, FILTER, ROLLUP, the
# budget set with --memory-limit and with SET, TPC-H Q18 at SF 0.01, and a
# spill directory that cannot be written.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"

mk="CREATE TABLE t AS SELECT i % 20011 AS k, (i * 7) % 1000 AS x, 'v' || ((i * 13) % 97)::VARCHAR AS s
    FROM range(300000) r(i);"
queries=(
  "SELECT k, count(*), sum(x), avg(x), min(s), max(x), count(DISTINCT s), median(x), quantile_disc(x, 0.9),
     approx_count_distinct(s), sum(x) FILTER (WHERE x > 500) FROM t GROUP BY k ORDER BY k"
  "SELECT k, string_agg(DISTINCT s, ',' ORDER BY s), array_agg(x ORDER BY x DESC),
     string_agg(s, '|' ORDER BY x, s), first(x ORDER BY x DESC, s) FROM t GROUP BY k ORDER BY k"
  "SELECT k % 101 AS g, s, sum(x), count(DISTINCT x), max(s) FROM t GROUP BY ROLLUP (k % 101, s) ORDER BY g, s"
)
i=0
for q in "${queries[@]}"; do
  i=$((i + 1))
  printf '%s\n%s;\n' "$mk" "$q" >"q$i.sql"
  printf '%s\nEXPLAIN ANALYZE %s;\n' "$mk" "$q" >"e$i.sql"
  expect_rc 0 "$TARN" sql -f "q$i.sql" --format csv
  cp out "free$i.csv"
  [ "$(wc -l <"free$i.csv")" -gt 5000 ] || fail "query $i: $(wc -l <"free$i.csv") rows"
  expect_rc 0 "$TARN" sql -f "q$i.sql" --format csv --memory-limit 64MB
  cmp -s out "free$i.csv" || fail "query $i: another answer under --memory-limit 64MB: $(diff "free$i.csv" out | head -5)"
  expect_rc 0 "$TARN" sql -f "e$i.sql" --memory-limit 64MB
  grep -qE 'HASH_AGGREGATE.*spilled: [1-9]' out || fail "query $i: the aggregate did not spill: $(grep HASH out)"
  # without a budget nothing spills
  expect_rc 0 "$TARN" sql -f "e$i.sql"
  if grep -q 'spilled:' out; then fail "query $i spilled without a budget"; fi
done

# the budget set in the script
printf "SET memory_limit = '64MB';\n%s\n%s;\n" "$mk" "${queries[0]}" >set.sql
expect_rc 0 "$TARN" sql -f set.sql --format csv
cmp -s out free1.csv || fail "SET memory_limit changed the answer"

# a spill directory that cannot be written: a clear error naming it
: >afile
printf "SET temp_directory = '%s/afile/dir';\n%s\n%s;\n" "$tmp" "$mk" "${queries[0]}" >baddir.sql
expect_rc 1 "$TARN" sql -f baddir.sql --format csv --memory-limit 64MB
expect_in err "HASH_AGGREGATE" "$tmp/afile/dir"

# TPC-H Q18 at SF 0.01 under a budget that makes its 15000-group aggregate
# spill; at this scale no order passes QUANTITY = 300, so it runs with 250
# too, which keeps some rows
"$TARN" gen tpch --sf 0.01 --format parquet --out pq --quiet || fail "tarn gen"
{
  for tb in part supplier partsupp customer orders lineitem nation region; do
    echo "CREATE VIEW $tb AS SELECT * FROM '$tmp/pq/$tb.parquet';"
  done
  cat "$TARN_SOURCE_DIR/bench/queries/tpch/q18.sql"
} >q18.sql
sed 's/> 300/> 250/' q18.sql >q18b.sql
grep -q '> 250' q18b.sql || fail "q18.sql has no QUANTITY = 300 to change"
for q in q18 q18b; do
  sed 's/^select/EXPLAIN ANALYZE select/I' $q.sql >e$q.sql
  grep -q 'EXPLAIN ANALYZE' e$q.sql || fail "$q.sql has no select line to explain"
  expect_rc 0 "$TARN" sql -f $q.sql --format csv
  cp out free$q.csv
  expect_rc 0 "$TARN" sql -f $q.sql --format csv --memory-limit 16MB
  cmp -s out free$q.csv || fail "$q under 16MB: $(diff free$q.csv out | head -5)"
  expect_rc 0 "$TARN" sql -f e$q.sql --memory-limit 16MB
  grep -qE 'HASH_AGGREGATE.*spilled: [1-9]' out || fail "$q: no aggregate spilled: $(grep HASH out)"
done
[ "$(wc -l <freeq18b.csv)" -gt 10 ] || fail "Q18 with QUANTITY = 250 gave $(wc -l <freeq18b.csv) lines"

finish
