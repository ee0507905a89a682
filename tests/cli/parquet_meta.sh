#!/usr/bin/env bash
# `tarn parquet meta|stats`: the footer's layout and chunk statistics of
# files from parquet-testing and of files tarn writes, checked line by line
# for a few fields; bad input gives one-line errors.
source "$(dirname "$0")/lib/check.bash"
data="$TARN_SOURCE_DIR/../shared/parquet-testing/data"
cd "$tmp"

# an Impala file: dictionary pages, no statistics, no page index
expect_rc 0 "$TARN" parquet meta "$data/alltypes_plain.parquet"
expect_in out "rows: 8" "row groups: 1" "key/value metadata: (none)" \
    "created by: impala version 1.3.0-INTERNAL" "row group 0: 8 rows, 671 bytes"
grep -A10 '^  column id$' out >id.txt
grep -qxF '    type: INT32, logical none' id.txt || fail "id type: $(cat id.txt)"
grep -qxF '    encodings: PLAIN, PLAIN_DICTIONARY, RLE' id.txt || fail "id encodings: $(cat id.txt)"
grep -qxF '    compressed: 73 bytes, uncompressed: 73 bytes' id.txt || fail "id sizes: $(cat id.txt)"
grep -qxF '    dictionary page: at 4' id.txt || fail "id dictionary: $(cat id.txt)"
grep -qxF '    column index: none' id.txt || fail "id column index: $(cat id.txt)"
grep -qxF '    bloom filter: none' id.txt || fail "id bloom: $(cat id.txt)"
expect_rc 0 "$TARN" parquet stats "$data/alltypes_plain.parquet"
expect_in out $'column timestamp_col (INT96, none)\n  row group 0: no statistics'
[ "$(grep -c 'no statistics' out)" -eq 11 ] || fail "alltypes_plain: $(cat out)"

# parquet-mr with a page index, a bloom filter and key/value metadata
expect_rc 0 "$TARN" parquet meta "$data/data_index_bloom_encoding_stats.parquet"
expect_in out "key/value metadata: parquet.avro.schema, writer.model.name" \
    "    type: BYTE_ARRAY, logical STRING" "    codec: GZIP" \
    "    column index: at 156, 25 bytes" "    offset index: at 181, 11 bytes" "    bloom filter: at 192"
expect_rc 0 "$TARN" parquet stats "$data/data_index_bloom_encoding_stats.parquet"
expect_out $'column String (BYTE_ARRAY, STRING)\n  row group 0: nulls 0, min "Hello", max "today"\n'

# tarn's own bloom filters: the header read back
expect_rc 0 "$TARN" convert "$data/alltypes_plain.parquet" bloom.parquet --bloom-filter id:1000 --bloom-filter string_col
expect_rc 0 "$TARN" parquet meta bloom.parquet
expect_in out ", split-block xxhash, 1024-byte bitset" ", split-block xxhash, 32-byte bitset"

# decimals in FIXED_LEN_BYTE_ARRAY and INT32, rendered exactly
expect_rc 0 "$TARN" parquet stats "$data/fixed_length_decimal.parquet"
expect_out $'column value (FIXED_LEN_BYTE_ARRAY, DECIMAL(25,2))\n  row group 0: nulls 0, min 2.00, max 24.00\n'
expect_rc 0 "$TARN" parquet meta "$data/fixed_length_decimal.parquet"
expect_in out "    type: FIXED_LEN_BYTE_ARRAY(11), logical DECIMAL(25,2)"
expect_rc 0 "$TARN" parquet stats "$data/int32_decimal.parquet"
expect_in out "  row group 0: nulls 0, min 1.00, max 24.00"

# a file tarn writes: row groups of 1000 rows, dates, decimals, strings
expect_rc 0 "$TARN" gen tpch --sf 0.001 --format parquet --out g --quiet
expect_rc 0 "$TARN" convert g/lineitem.parquet li.parquet --in-batch-size 1000 --row-group-size 1000
expect_rc 0 "$TARN" parquet meta li.parquet
expect_in out "created by: tarn version" "rows: 6091" "row groups: 7" "row group 6: 91 rows, " \
    "    type: INT32, logical DATE" "    type: INT64, logical DECIMAL(15,2)" "    codec: SNAPPY"
[ "$(grep -c '^  column l_shipdate$' out)" -eq 7 ] || fail "l_shipdate chunks: $(grep -c l_shipdate out)"
expect_rc 0 "$TARN" parquet stats li.parquet
expect_in out $'column l_orderkey (INT64, INT(64, signed))\n  row group 0: nulls 0, min 1, max ' \
    $'column l_quantity (INT64, DECIMAL(15,2))\n  row group 0: nulls 0, min 1.00, max 50.00' \
    $'column l_shipdate (INT32, DATE)\n  row group 0: nulls 0, min 1992-01-14, max 1998-11-17' \
    $'column l_returnflag (BYTE_ARRAY, STRING)\n  row group 0: nulls 0, min "A", max "R"'
# the stats agree with the data: the smallest ship date of the first row group
first=$("$TARN" cat li.parquet --limit 1000 --columns l_shipdate --format csv | sed 1d | sort | head -1)
[ "$first" = "1992-01-14" ] || fail "smallest l_shipdate of row group 0 is $first"

# nulls counted, strings escaped and cut after 40 characters
printf '{"name":"a\\"b\\n","n":1}\n{"name":null,"n":2}\n{"name":"%s","n":null}\n' \
    "$(printf 'z%.0s' $(seq 50))" >s.jsonl
expect_rc 0 "$TARN" convert s.jsonl s.parquet
expect_rc 0 "$TARN" parquet stats s.parquet
expect_out "column name (BYTE_ARRAY, STRING)
  row group 0: nulls 1, min \"a\\\"b\\n\", max \"$(printf 'z%.0s' $(seq 40))\"...
column n (INT64, INT(64, signed))
  row group 0: nulls 1, min 1, max 2
"

# the page index tarn writes: a column index and an offset index per chunk,
# read back by meta, pointing at the chunk's data pages
expect_rc 0 "$TARN" convert g/lineitem.parquet li2.parquet --in-batch-size 1000 --row-group-size 1000 --page-size 4000
expect_rc 0 "$TARN" parquet meta li2.parquet
[ "$(grep -c '^    offset index: at [0-9]*, [0-9]* bytes: [0-9]* pages, the first at' out)" -eq 112 ] ||
    fail "offset indexes: $(grep -c 'offset index: at' out) of 112"
[ "$(grep -c '^    column index: at [0-9]*, [0-9]* bytes: [0-9]* pages, 0 null, ' out)" -eq 112 ] ||
    fail "column indexes: $(grep -c 'column index: at' out) of 112"
awk '/data pages: at/ {d = $4} /offset index: at/ {if ($NF != d) bad++} END {exit bad > 0}' out ||
    fail "an offset index does not start at the chunk's data pages"
grep -A9 '^  column l_orderkey$' out | grep -q '^    column index: at [0-9]*, [0-9]* bytes: [2-9] pages, 0 null, ascending$' ||
    fail "l_orderkey column index: $(grep -A9 '^  column l_orderkey$' out | grep 'column index' | head -2)"
# a chunk of only nulls has one null page
printf '{"v":null}\n{"v":null}\n' >allnull.jsonl
printf '{"v":1}\n' >>allnull.jsonl
expect_rc 0 "$TARN" convert allnull.jsonl allnull.parquet --in-batch-size 2 --row-group-size 2
expect_rc 0 "$TARN" parquet meta allnull.parquet
expect_in out "bytes: 1 pages, 1 null, " "bytes: 1 pages, 0 null, ascending"
# DuckDB reads the file with its page index and finds the same rows as in the file without one
duck() {
    NODE_PATH="$TARN_SOURCE_DIR/peers/node_modules" node -e '
const { DuckDBInstance } = require("@duckdb/node-api");
(async () => {
  const con = await (await DuckDBInstance.create(":memory:")).connect();
  const res = await con.runAndReadAll(`SELECT count(*), sum(l_quantity), min(l_shipdate)::VARCHAR, max(l_comment),
      bit_xor(hash(l_orderkey, l_linenumber, l_comment, l_shipdate, l_extendedprice)) FROM read_parquet(\x27${process.argv[1]}\x27)
      WHERE l_orderkey BETWEEN 1000 AND 3000`);
  console.log(JSON.stringify(res.getRowsJson()));
})().catch(e => { console.error(e.message); process.exit(1); });' "$1"
}
a=$(duck "$tmp/li2.parquet") || fail "DuckDB cannot read li2.parquet"
b=$(duck "$tmp/g/lineitem.parquet") || fail "DuckDB cannot read lineitem.parquet"
[ -n "$a" ] && [ "$a" = "$b" ] || fail "DuckDB: '$a' with the page index, '$b' without"

# errors
expect_rc 1 "$TARN" parquet meta missing.parquet
expect_in err "missing.parquet" "No such file"
expect_rc 1 "$TARN" parquet stats s.jsonl
expect_in err "s.jsonl: not a Parquet file"
expect_rc 2 "$TARN" parquet pages s.parquet
expect_in err "unknown subcommand 'pages'"
expect_rc 2 "$TARN" parquet meta
expect_rc 0 "$TARN" parquet --help
expect_in out "tarn parquet meta orders.parquet" "tarn parquet stats orders.parquet" "dictionary page"
finish
