#!/usr/bin/env bash
# Bloom filters both ways with DuckDB: tarn writes split-block filters
# (--bloom-filter col[:ndv[:fpp]]) that DuckDB's parquet_bloom_probe reads
# and agrees with (present values never excluded, absent ones excluded as
# tarn's reader excludes them); tarn's --where skips row groups by bloom
# filters (counted by --explain) with the same rows as DuckDB; and tarn
# uses the bloom filters in a file DuckDB writes.
set -euo pipefail
: "${TARN:?}" "${TARN_SOURCE_DIR:?}"
[ -d "$TARN_SOURCE_DIR/peers/node_modules/@duckdb/node-api" ] || { echo "DuckDB peer missing"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
duck() { node "$TARN_SOURCE_DIR/tests/interop/parquet_bloom_duckdb.mjs" "$@"; }
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 4 row groups of 1000 rows; ids (even, 0..15998, half of them present)
# and codes spread over every group, so statistics cannot rule out the
# values that are missing
for i in $(seq 0 3999); do
    echo "{\"id\":$((i * 7919 % 8000 * 2)),\"code\":\"c$(((i * 7919) % 3000 * 2))\",\"grp\":\"g$((i % 5))\"}"
done >in.jsonl
id_of() { echo $(($1 * 7919 % 8000 * 2)); }
"$TARN" convert in.jsonl b.parquet --row-group-size 1000 --bloom-filter id --bloom-filter code:4000:0.01 --bloom-filter grp
"$TARN" parquet meta b.parquet >meta.txt
[ "$(grep -c 'bloom filter: at' meta.txt)" -eq 12 ] || fail "want 12 bloom filters: $(grep 'bloom filter' meta.txt)"

# DuckDB reads tarn's filters: a present value is never excluded from
# the row group holding it (row i is in group i / 1000)
for i in 0 1 999 1000 2500 3999; do
    v=$(id_of $i)
    out=$(duck probe b.parquet id "$v")
    [ "$(echo "$out" | cut -d' ' -f$((i / 1000 + 2)))" = maybe ] || fail "DuckDB excludes id $v (row $i): $out"
done
# absent values: DuckDB and tarn exclude the same row groups
for v in 4001 7997 9999 12345; do
    want=$(duck probe b.parquet id "$v" | tr ' ' '\n' | grep -c excludes || true)
    "$TARN" cat b.parquet --where "id = $v" --explain true --format csv >out.csv 2>err.txt
    [ "$(wc -l <out.csv)" -eq 1 ] || fail "id = $v: rows returned: $(cat out.csv)"
    got=$(sed -n 's/.*skipped by statistics, \([0-9]*\) by bloom filters.*/\1/p' err.txt)
    [ "$got" = "$want" ] || fail "id = $v: tarn skipped $got row groups by bloom filters, DuckDB excludes $want"
    [ "$want" -ge 3 ] || fail "id = $v: only $want of 4 row groups excluded at fpp 0.05"
    grep -qF "0 skipped by statistics" err.txt || fail "id = $v: statistics skipped a group: $(cat err.txt)"
done
for v in c1 c3001 zzz; do
    want=$(duck probe b.parquet code "$v" | tr ' ' '\n' | grep -c excludes || true)
    "$TARN" cat b.parquet --where "code = '$v'" --explain true --format csv >out.csv 2>err.txt
    got=$(sed -n 's/.*\([0-9]\) skipped by statistics, \([0-9]*\) by bloom filters.*/\1+\2/p' err.txt)
    [ "$((got))" -eq 4 ] || fail "code = '$v': skipped $got of 4 ($(cat err.txt))"
done
# the rows found are DuckDB's rows
for w in "id = $(id_of 1234)" "id = 3" "code = 'c10'" "code = 'c11'" "grp = 'g3'" "grp = 'g15'"; do
    n=$("$TARN" cat b.parquet --where "$w" --format csv | tail -n +2 | wc -l)
    d=$(duck count b.parquet "$w")
    [ "$n" -eq "$d" ] || fail "$w: tarn $n rows, DuckDB $d"
done
"$TARN" cat b.parquet --where "grp = 'g15'" --explain true --format csv >/dev/null 2>err.txt
grep -qF "0 read, 0 skipped by statistics, 4 by bloom filters" err.txt || fail "grp = 'g15': $(cat err.txt)"

# IN: a row group is skipped only when every literal is absent from it
for w in "id IN ($(id_of 5), $(id_of 2500), 3)" "code IN ('c10', 'c11', 'zz')" "grp IN ('g1', 'g15')"; do
    n=$("$TARN" cat b.parquet --where "$w" --format csv | tail -n +2 | wc -l)
    d=$(duck count b.parquet "$w")
    [ "$n" -eq "$d" ] || fail "$w: tarn $n rows, DuckDB $d"
done
"$TARN" cat b.parquet --where "id IN (4001, 7997, 9999)" --explain true --format csv >out.csv 2>err.txt
[ "$(wc -l <out.csv)" -eq 1 ] || fail "id IN (absent...): $(cat out.csv)"
grep -qF "0 skipped by statistics, 4 by bloom filters" err.txt || fail "id IN (absent...): $(cat err.txt)"
"$TARN" cat b.parquet --where "id IN (4001, $(id_of 10))" --explain true --format csv >out.csv 2>err.txt
[ "$(tail -n +2 out.csv | cut -d, -f1)" = "$(id_of 10)" ] || fail "id IN (absent, present): $(cat out.csv)"
grep -qF "row groups: 1 read, 0 skipped by statistics, 3 by bloom filters" err.txt || fail "id IN (absent, present): $(cat err.txt)"

# tarn uses the bloom filters of a file DuckDB wrote
duck write d.parquet
"$TARN" parquet meta d.parquet | grep -q 'bloom filter: at' || fail "DuckDB wrote no bloom filter"
"$TARN" cat d.parquet --where "s = 'v5000'" --explain true --format csv >out.csv 2>err.txt
grep -qF "row groups: 0 read, 0 skipped by statistics, 3 by bloom filters, 3 in the file" err.txt ||
    fail "DuckDB's filters not used: $(cat err.txt)"
n=$("$TARN" cat d.parquet --where "s = 'v123'" --format csv | tail -n +2 | wc -l)
[ "$n" -eq 600 ] || fail "s = 'v123': $n rows, want 600"

# bad options: one line each
"$TARN" convert in.jsonl x.parquet --bloom-filter nope 2>err.txt && fail "unknown bloom column accepted"
grep -q 'no such column' err.txt || fail "$(cat err.txt)"
"$TARN" convert in.jsonl x.parquet --bloom-filter id:10:2 2>err.txt && fail "fpp 2 accepted"
grep -q 'false-positive rate' err.txt || fail "$(cat err.txt)"
[ "$fails" -eq 0 ]
