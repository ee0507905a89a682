#!/usr/bin/env bash
# tarn and DuckDB read the same CSV and JSON files and must agree on column
# names, column types and every value (csv_json_duckdb.mjs compares).
# The files cover quoting, CRLF, a BOM, delimiters, header detection, nulls,
# numbers, booleans, dates and timestamps, nested JSON and the array form.
set -euo pipefail
: "${TARN:?}" "${TARN_SOURCE_DIR:?}"
[ -d "$TARN_SOURCE_DIR/peers/node_modules/@duckdb/node-api" ] || { echo "DuckDB peer missing"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

printf 'id,name,price,ok,day,at\n1,"Smith, J",1.5,true,2024-03-17,2024-03-17 10:00:00\n2,"say ""hi""",-2,false,2000-02-29,2000-02-29 23:59:59.25\n3,plain,,true,,\n' >basic.csv
printf '\xef\xbb\xbfa;b;c\r\n1;x;3.25\r\n2;"multi\r\nline";4\r\n' >bom_semicolon.csv
printf 'k\tv\n10\tten\n20\ttwenty\n' >tabs.tsv.csv
printf '1,2\n3,4\n' >no_header.csv
printf 'big,neg,exp\n9223372036854775807,-9223372036854775808,1e10\n1,-1,2.5E-3\n' >numbers.csv
printf 'price,qty,mixed,neg\n12.50,1,3,-0.5\n3.75,2,4.125,7.25\n1000000.01,3,.5,-12\n' >money.csv
printf 't,d\n12:30:00,2024-01-01\n23:59:59.5,2024-12-31\n' >times.csv
printf 'name,city\nAda,London\nGrace,"New York"\n' >strings.csv

printf '{"a": 1, "b": "x", "c": {"d": [1, 2]}, "e": true}\n{"a": 2, "b": null, "c": {"d": []}, "e": false}\n{"a": 3, "b": "z", "c": null, "e": null}\n' >nested.jsonl
printf '{"price": 12.50, "qty": 1, "mixed": 3, "flag": true}\n{"price": 3.75, "qty": 2, "mixed": 4.125, "flag": false}\n' >numbers.jsonl
# compressed by name: DuckDB and tarn both pick the codec from .gz
gzip -c money.csv >money_gz.csv.gz
gzip -c numbers.jsonl >numbers_gz.jsonl.gz
printf '[{"x": 1.5, "y": [{"z": "p"}]}, {"x": -2, "y": []}]' >array.json
# compressed by tarn's writers: DuckDB must read what tarn wrote, and both
# must agree on every value
"$TARN" convert basic.csv tarn_basic.csv.gz
"$TARN" convert money.csv tarn_money.csv.zst
"$TARN" convert nested.jsonl tarn_nested.jsonl.gz
"$TARN" convert numbers.jsonl tarn_numbers.jsonl.zst

node "$TARN_SOURCE_DIR/tests/interop/csv_json_duckdb.mjs" "$tmp"/*.csv "$tmp"/*.jsonl "$tmp"/*.json "$tmp"/*.gz "$tmp"/*.zst
