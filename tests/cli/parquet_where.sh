#!/usr/bin/env bash
# `tarn cat FILE --where "..."` on Parquet: exact result rows for several
# predicates on a file with small row groups, row groups skipped by their
# statistics (counted by --explain), NULL semantics, clean errors for
# unknown columns, type mismatches and malformed filters, and DuckDB's
# answer for the same predicate.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"

# 12 rows in row groups of 3; every third row has nulls in v and s
for i in $(seq 1 12); do
    if [ $((i % 3)) -eq 0 ]; then
        echo "{\"id\":$i,\"v\":null,\"s\":null,\"x\":{\"y\":$i}}"
    else
        echo "{\"id\":$i,\"v\":$((i * 10)),\"s\":\"s$i\",\"x\":{\"y\":$i}}"
    fi
done >n.jsonl
expect_rc 0 "$TARN" convert n.jsonl n.parquet --in-batch-size 3 --row-group-size 3
expect_rc 0 "$TARN" parquet meta n.parquet
expect_in out "row groups: 4"

where() { # where FILTER: ids of the matching rows, one line
    run "$TARN" cat n.parquet --where "$1" --columns id --format csv --explain true
    [ "$rc" -eq 0 ] || fail "--where '$1' exited $rc: $(cat "$tmp/err")"
    sed 1d "$tmp/out" | tr '\n' ' '
}
check() { # check FILTER WANT_IDS WANT_READ WANT_SKIPPED
    local got
    got=$(where "$1")
    [ "$got" = "$2" ] || fail "--where '$1' gave ids '$got', want '$2'"
    grep -qF "row groups: $3 read, $4 skipped by statistics, 0 by bloom filters, 4 in the file" "$tmp/err" ||
        fail "--where '$1': $(cat "$tmp/err"), want $3 read and $4 skipped"
}
check "id >= 11" "11 12 " 1 3
check "id > 4 AND id <= 6" "5 6 " 1 3
check "v = 50" "5 " 1 3
check "v < 30" "1 2 " 1 3
check "v >= 40 and v < 80" "4 5 7 " 2 2
# NULL never matches, for = and != alike; a group of only nulls is skipped
check "v != 40" "1 2 5 7 8 10 11 " 4 0
check "s = 's4'" "4 " 1 3
check "s >= 's7'" "7 8 " 1 3 # strings compare bytewise: 's10' < 's7'
check "s < 's2'" "1 10 11 " 2 2
check "x.y = 12 AND v > 0" "" 1 3
check "id = 100" "" 0 4
check 'id = 2 AND "s" = '"'s2'" "2 " 1 3
# the filter column need not be in the output, and offset/limit count matching rows
expect_rc 0 "$TARN" cat n.parquet --where "v >= 20" --columns s --format csv --offset 2 --limit 2
expect_out $'s\ns5\ns7\n'
# a column of only nulls: one row group of null v values is pruned
for i in 1 2 3; do echo "{\"id\":$i,\"v\":null}"; done >nulls.jsonl
for i in 4 5 6; do echo "{\"id\":$i,\"v\":$i}"; done >>nulls.jsonl
expect_rc 0 "$TARN" convert nulls.jsonl nulls.parquet --in-batch-size 3 --row-group-size 3
expect_rc 0 "$TARN" parquet stats nulls.parquet
expect_in out $'column v (INT64, INT(64, signed))\n  row group 0: nulls 3, min -, max -\n'
expect_rc 0 "$TARN" cat nulls.parquet --where "v != 0" --columns id --format csv --explain true
expect_out $'id\n4\n5\n6\n'
expect_in err "row groups: 1 read, 1 skipped by statistics"

# TPC-H lineitem in row groups of 1000 rows (sorted by l_orderkey)
expect_rc 0 "$TARN" gen tpch --sf 0.001 --format parquet --out g --quiet
expect_rc 0 "$TARN" convert g/lineitem.parquet li.parquet --in-batch-size 1000 --row-group-size 1000
expect_rc 0 "$TARN" cat li.parquet --where "l_orderkey < 3" --columns l_orderkey,l_quantity,l_shipdate \
    --format csv --explain true
expect_out $'l_orderkey,l_quantity,l_shipdate\n1,24.00,1998-05-18\n1,39.00,1998-07-01\n2,4.00,1998-01-28\n2,13.00,1998-01-09\n2,49.00,1998-01-17\n2,6.00,1998-01-23\n'
expect_in err "row groups: 1 read, 6 skipped by statistics, 0 by bloom filters, 7 in the file"
filter="l_shipdate >= '1998-11-01' AND l_quantity < 30 AND l_returnflag = 'N'"
expect_rc 0 "$TARN" cat li.parquet --where "$filter" --columns l_orderkey,l_linenumber --format csv --explain true
expect_in err "row groups: 3 read, 4 skipped by statistics, 0 by bloom filters, 7 in the file"
sed 1d out | sort >tarn.txt
[ -s tarn.txt ] || fail "no rows for $filter"
# the same rows as DuckDB finds, and as tarn finds without pruning (one row group)
NODE_PATH="$TARN_SOURCE_DIR/peers/node_modules" node -e '
const { DuckDBInstance } = require("@duckdb/node-api");
(async () => {
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  const res = await con.runAndReadAll(`SELECT l_orderkey, l_linenumber FROM read_parquet(\x27${process.argv[1]}\x27) WHERE ${process.argv[2]}`);
  for (const r of res.getRows()) console.log(`${r[0]},${r[1]}`);
})().catch(e => { console.error(e.message); process.exit(1); });
' "$tmp/li.parquet" "$filter" | sort >duck.txt || fail "duckdb failed"
[ -s duck.txt ] && cmp -s tarn.txt duck.txt || fail "tarn and DuckDB differ: $(diff tarn.txt duck.txt | head -5)"
expect_rc 0 "$TARN" cat g/lineitem.parquet --where "$filter" --columns l_orderkey,l_linenumber --format csv
sed 1d out | sort >whole.txt
cmp -s tarn.txt whole.txt || fail "pruned and unpruned results differ"

# timestamps (INT64 microseconds, UTC), decimals, floats in struct paths, and pruning on them
expect_rc 0 "$TARN" example ex1.parquet
expect_rc 0 "$TARN" convert ex1.parquet ex.parquet --in-batch-size 2 --row-group-size 2
expect_rc 0 "$TARN" schema ex.parquet
expect_in out "ordered_at: timestamp[us, tz=UTC]"
expect_rc 0 "$TARN" cat ex.parquet --where "ordered_at > '2024-01-18 10:00:00.4' AND amount >= 1.5 AND size.w < 150" \
    --columns id --format csv --explain true
expect_out $'id\n4\n5\n7\n'
expect_in err "row groups: 3 read, 1 skipped by statistics, 0 by bloom filters, 4 in the file"
expect_rc 1 "$TARN" cat ex.parquet --where "ordered_at > '2024-01-18 25:00:00'"
expect_in err "is not a timestamp (YYYY-MM-DD HH:MM:SS[.fraction]) for column \"ordered_at\" at position 14"

# the page index of another writer (parquet-mr: alltypes_tiny_pages, pages
# of a few rows): pages ruled out, the same rows as without a filter pushed
# into pages (computed here by filtering the whole file's CSV with awk)
tiny="$TARN_SOURCE_DIR/../shared/parquet-testing/data/alltypes_tiny_pages.parquet"
if [ -f "$tiny" ]; then
    expect_rc 0 "$TARN" cat "$tiny" --format csv --columns id,int_col,string_col,float_col
    cp "$tmp/out" all.csv
    page_check() { # page_check WHERE AWK_CONDITION
        expect_rc 0 "$TARN" cat "$tiny" --where "$1" --format csv --columns id,int_col,string_col,float_col --explain true
        awk -F, "NR == 1 || ($2)" all.csv >want.csv
        cmp -s "$tmp/out" want.csv || fail "--where '$1' on alltypes_tiny_pages: rows differ from the full read"
        grep -qE "pages: [0-9]+ read, [1-9][0-9]* skipped by the page index" "$tmp/err" ||
            fail "--where '$1': no page skipped: $(cat "$tmp/err")"
    }
    page_check "id >= 100 AND id < 110" '$1 >= 100 && $1 < 110'
    page_check "int_col = 5 AND id < 1000" '$2 == 5 && $1 < 1000'
    page_check "float_col < 1.5 AND id > 7000" '$4 < 1.5 && $1 > 7000'
    page_check "id = 7299" '$1 == 7299'
fi

# parquet-mr's bloom filter: every value of the file is found, a value
# inside its min/max that is not there skips the row group by the filter
bloomfile="$TARN_SOURCE_DIR/../shared/parquet-testing/data/data_index_bloom_encoding_stats.parquet"
if [ -f "$bloomfile" ]; then
    for v in Hello "This is" a test How "are you" today "the quick" "brown fox" jumps over "the lazy" dog; do
        expect_rc 0 "$TARN" cat "$bloomfile" --where "String = '$v'" --format csv --explain true
        [ "$(sed -n 2p "$tmp/out")" = "$v" ] || fail "String = '$v': $(cat "$tmp/out")"
        expect_in err "row groups: 1 read, 0 skipped by statistics, 0 by bloom filters"
    done
    for v in Hi "are" "the" "brown"; do
        expect_rc 0 "$TARN" cat "$bloomfile" --where "String = '$v'" --format csv --explain true
        expect_out $'String\n'
        expect_in err "row groups: 0 read, 0 skipped by statistics, 1 by bloom filters, 1 in the file"
    done
fi

# errors: unknown column, type mismatch, bad literal, malformed filter
expect_rc 1 "$TARN" cat n.parquet --where "nope = 1"
expect_in err 'no column named "nope" (position 1)'
expect_rc 1 "$TARN" cat n.parquet --where "id = 'x'"
expect_in err 'column "id" is int64, compared with a string at position 6'
expect_rc 1 "$TARN" cat n.parquet --where "s > 3"
expect_in err 'column "s" is utf8, compared with a number at position 5'
expect_rc 1 "$TARN" cat li.parquet --where "l_shipdate < 19980101"
expect_in err "expected a date as a 'YYYY-MM-DD' string"
expect_rc 1 "$TARN" cat li.parquet --where "l_shipdate < '1998-13-01'"
expect_in err "'1998-13-01' is not a date (YYYY-MM-DD)"
expect_rc 1 "$TARN" cat li.parquet --where "l_quantity < 1.005"
expect_in err "1.005 is not exact at the scale of column \"l_quantity\""
expect_rc 1 "$TARN" cat n.parquet --where "id = 1 OR id = 2"
expect_in err "OR is not supported (only AND) at position 8"
expect_rc 1 "$TARN" cat n.parquet --where "id == 1"
expect_in err "expected a number or a 'quoted string' at position 5"
expect_rc 1 "$TARN" cat n.parquet --where "id = 'open"
expect_in err "unterminated string literal"
expect_rc 1 "$TARN" cat n.parquet --where "id = NULL"
expect_in err "NULL is not a literal here"
expect_rc 1 "$TARN" cat n.parquet --where "id < 1 AND"
expect_in err "expected a column name at position 11 (end of the filter)"
expect_rc 1 "$TARN" cat n.parquet --where "x = 1"
expect_in err 'column "x" is nested'
expect_rc 1 "$TARN" cat n.parquet --where "id = 300000000000000000000"
expect_in err "is not a value of column \"id\""
expect_rc 0 "$TARN" cat --help
expect_in out "--where" "--explain true"
finish
