#!/usr/bin/env bash
# CSV and JSON input through the CLI: `tarn sniff` reports (dialect, header,
# date layouts, JSON widening) with reader options passed through, `tarn cat`
# of sniffed files including gzip and zstd input, errors naming
# file:line:column, and a CSV -> JSON lines -> CSV round trip.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"

printf 'id;when;amount;name\r\n1;03/17/2024;1.5;"Smith; J"\r\n2;12/01/2023;2.25;"say ""hi"""\r\n' >semi.csv
expect_rc 0 "$TARN" sniff semi.csv
expect_out "format: csv
delimiter: ';'
quote: '\"'
header: true
rows sampled: 2
columns: 4
  id: int64
  when: date32 (MM/DD/YYYY)
  amount: decimal128(38, 2)
  name: utf8
"
expect_rc 0 "$TARN" cat semi.csv --format jsonl
expect_out '{"id":1,"when":"2024-03-17","amount":1.50,"name":"Smith; J"}
{"id":2,"when":"2023-12-01","amount":2.25,"name":"say \"hi\""}
'
expect_rc 0 "$TARN" sniff semi.csv --decimal-inference false
expect_in out "  amount: double"
# a value after the sample with more fraction digits than the inferred scale
# is refused, never rounded
printf 'p\n1.25\n2.5\n3.125\n' >late.csv
expect_rc 1 "$TARN" cat late.csv --sample-rows 2
expect_in err "late.csv:4:1: column 'p': more fraction digits than decimal128(38, 2) inferred from the first 2 rows; pass types='p double' or a wider decimal: '3.125'"
expect_rc 0 "$TARN" cat late.csv --sample-rows 2 --types 'p double' --format csv
expect_out 'p
1.25
2.5
3.125
'
expect_rc 0 "$TARN" sniff semi.csv --header false --types 'column0 string'
expect_in out "header: false" "column0: utf8" "column1: utf8"
expect_rc 0 "$TARN" sniff semi.csv --schema 'a int, b string, c decimal(5,2), d string'
expect_in out "  c: decimal128(5, 2)"
expect_rc 1 "$TARN" sniff semi.csv --types 'nope int'
expect_in err "column_types: no column named 'nope'"
expect_rc 1 "$TARN" sniff semi.csv --on-error maybe
expect_in err "option 'on_error': expected error, skip or null, got 'maybe'"

printf 'a,b\n1,x\n2,y\n3\n' >ragged.csv
expect_rc 1 "$TARN" cat ragged.csv
expect_in err "ragged.csv:4:1: expected 2 fields, found 1"

printf '{"a": 1, "s": {"t": [1, 2]}}\n{"a": 2.5, "s": null, "b": "x"}\n' >e.jsonl
expect_rc 0 "$TARN" sniff e.jsonl
expect_out "format: json (ndjson)
widened: a: int64 -> double
columns: 3
  a: double
  s: struct<t: list<item: int64>>
  b: utf8
"
printf '[{"a": 1}, {"a": "x"}]' >arr.json
expect_rc 0 "$TARN" cat arr.json --format jsonl
expect_out '{"a":"1"}
{"a":"x"}
'
printf '{"a": 1}\n{"a": }\n' >bad.jsonl
expect_rc 1 "$TARN" cat bad.jsonl
expect_in err "bad.jsonl:2:7: unexpected character"

# compressed input, found by extension and by magic bytes
printf 'k,v\n1,one\n2,two\n' >plain.csv
gzip -c plain.csv >z.csv.gz
cp z.csv.gz z.gzdata
expect_rc 0 "$TARN" sniff z.csv.gz
expect_in out "  k: int64" "  v: utf8"
expect_rc 0 "$TARN" cat z.gzdata --from csv --format jsonl
expect_out '{"k":1,"v":"one"}
{"k":2,"v":"two"}
'
if command -v zstd >/dev/null; then
    zstd -q -c plain.csv >z.zst
    expect_rc 0 "$TARN" cat z.zst --from csv --format jsonl
    expect_out '{"k":1,"v":"one"}
{"k":2,"v":"two"}
'
fi

# many files by a glob pattern: the union of their columns by name
mkdir parts
printf 'id,v\n1,a\n' >parts/1.csv
printf 'v,w\n2.5,x\n' >parts/2.csv
expect_rc 0 "$TARN" cat 'parts/*.csv' --format jsonl
expect_out '{"id":1,"v":"a","w":null}
{"id":null,"v":"2.5","w":"x"}
'
printf '{"a": 1}\n' >parts/1.jsonl
printf '{"a": 2.5, "b": [1]}\n' >parts/2.jsonl
expect_rc 0 "$TARN" cat 'parts/*.jsonl' --format jsonl
expect_out '{"a":1.0,"b":null}
{"a":2.5,"b":[1]}
'
expect_rc 1 "$TARN" cat 'parts/*.nomatch.csv'
expect_in err "no file matches"

# round trip: csv -> jsonl -> csv gives the same text
printf 'id,name,day,score\n1,"a, b",2024-01-31,1.5\n2,,2024-02-29,\n' >rt.csv
expect_rc 0 "$TARN" convert rt.csv rt.jsonl
expect_rc 0 "$TARN" convert rt.jsonl rt2.csv --columns id,name,day,score
expect_rc 0 "$TARN" cat rt2.csv --format csv
expect_out 'id,name,day,score
1,"a, b",2024-01-31,1.5
2,,2024-02-29,
'
# compressed input picks format and codec from the name alone
printf 'id,price\n1,2.50\n2,3.75\n' >c.csv
printf 'id\tname\n1\ta b\n2\tc\n' >t.tsv
printf '{"id": 1, "s": "x"}\n{"id": 2, "s": "y"}\n' >j.jsonl
gzip -c c.csv >c.csv.gz
zstd -q -c c.csv -o c.csv.zst
gzip -c t.tsv >t.tsv.gz
gzip -c j.jsonl >j.jsonl.gz
zstd -q -c j.jsonl -o j.ndjson.zst
printf '[{"id": 1, "s": "x"}, {"id": 2, "s": "y"}]' | gzip -c >arr.json.gz
for f in c.csv.gz c.csv.zst; do
    expect_rc 0 "$TARN" cat $f --format jsonl
    expect_out '{"id":1,"price":2.50}
{"id":2,"price":3.75}
'
done
expect_rc 0 "$TARN" cat t.tsv.gz --format jsonl
expect_out '{"id":1,"name":"a b"}
{"id":2,"name":"c"}
'
for f in j.jsonl.gz j.ndjson.zst arr.json.gz; do
    expect_rc 0 "$TARN" cat $f --format csv
    expect_out 'id,s
1,x
2,y
'
done
expect_rc 0 "$TARN" sniff c.csv.zst
expect_in out "format: csv" "price: decimal128(38, 2)"
expect_rc 0 "$TARN" sniff j.ndjson.zst
expect_in out "format: json (ndjson)"
# a compressed name with a truncated stream fails naming the file
head -c 20 c.csv.gz >bad.csv.gz
expect_rc 1 "$TARN" cat bad.csv.gz
expect_in err "bad.csv.gz: gzip stream is truncated"
# compressed output: the codec from the name or --compression, read back
# by tarn and by gzip/zstd themselves
for f in out.csv.gz out.csv.gzip out.csv.zst out.csv.zstd; do
    expect_rc 0 "$TARN" convert c.csv $f
    expect_rc 0 "$TARN" cat $f --format csv
    expect_out 'id,price
1,2.50
2,3.75
'
done
[ "$(gzip -dc out.csv.gz)" = "$(printf 'id,price\n1,2.50\n2,3.75')" ] || fail "gzip -dc out.csv.gz: $(gzip -dc out.csv.gz)"
[ "$(zstd -dqc out.csv.zst)" = "$(printf 'id,price\n1,2.50\n2,3.75')" ] || fail "zstd -dc out.csv.zst"
for f in out.jsonl.gz out.ndjson.zst out.json.gz; do
    expect_rc 0 "$TARN" convert j.jsonl $f
    expect_rc 0 "$TARN" cat $f --format csv
    expect_out 'id,s
1,x
2,y
'
done
[ "$(zstd -dqc out.ndjson.zst)" = "$(printf '{"id":1,"s":"x"}\n{"id":2,"s":"y"}')" ] || fail "zstd -dc out.ndjson.zst"
# --compression on a plain name, with a level; the magic bytes tell the reader
expect_rc 0 "$TARN" convert c.csv lvl.csv --compression gzip:9
[ "$(head -c 2 lvl.csv | od -An -tx1 | tr -d ' ')" = "1f8b" ] || fail "lvl.csv is not gzip"
expect_rc 0 "$TARN" convert j.jsonl lvl.jsonl --compression zstd:19
expect_rc 0 "$TARN" cat lvl.jsonl --format csv
expect_out 'id,s
1,x
2,y
'
# a .tsv.gz target is gzip with TAB
expect_rc 0 "$TARN" convert j.jsonl out.tsv.gz
[ "$(gzip -dc out.tsv.gz)" = "$(printf 'id\ts\n1\tx\n2\ty')" ] || fail "out.tsv.gz: $(gzip -dc out.tsv.gz)"
# a codec that contradicts the name, an unknown codec or a bad level is
# refused and nothing is written
expect_rc 1 "$TARN" convert c.csv no.csv.gz --compression none
expect_in err "no.csv.gz: option 'compression' is none but the name ends in .gz"
expect_rc 1 "$TARN" convert c.csv no.csv.zst --compression gzip
expect_in err "option 'compression' is gzip but the name ends in .zst"
expect_rc 1 "$TARN" convert c.csv no.csv --compression lz4
expect_in err "option 'compression': unknown codec 'lz4' (known: auto, none, gzip, zstd)"
expect_rc 1 "$TARN" convert c.csv no.jsonl --compression gzip:10
expect_in err "option 'compression': bad level '10' for gzip"
[ -z "$(ls -A | grep '^no\.\|^\.no')" ] || fail "refused writes left files: $(ls -A)"
# a write that fails midway (a bad value past the first batch) leaves no
# target and no temporary, compressed or not
{ echo n; seq 1 70000; echo x; } >late_bad.csv
for f in lb.csv.gz lb.jsonl.zst lb.csv; do
    expect_rc 1 "$TARN" convert late_bad.csv $f --sample-rows 100
    expect_in err "late_bad.csv:70002:1: column 'n': cannot parse as int64: 'x'"
done
[ -z "$(ls -A | grep 'lb\.')" ] || fail "failed writes left files: $(ls -A)"
# a larger file through the stream: many compressed pieces, the same text
seq 1 300000 | awk 'BEGIN { print "i,s,q" } { printf "%d,\"row %d, with a comma\",%d.%02d\n", $1, $1, $1 % 1000, $1 % 100 }' >big.csv
for f in big_out.csv.gz big_out.csv.zst; do
    expect_rc 0 "$TARN" convert big.csv $f
    expect_rc 0 "$TARN" cat $f --format csv
    cmp -s out big.csv || fail "$f does not read back as big.csv"
done
cmp -s big.csv <(gzip -dc big_out.csv.gz) || fail "gzip -dc big_out.csv.gz differs from big.csv"
# a .tsv target is written with TAB
expect_rc 0 "$TARN" convert j.jsonl out.tsv
[ "$(cat out.tsv)" = "$(printf 'id\ts\n1\tx\n2\ty')" ] || fail "out.tsv: $(cat out.tsv)"

# decimal comma: ';' is sniffed, 1,5 is a number, 1.500 is not
printf 'p;q\n1,5;1.500\n-2,25;2.000\n' >comma.csv
expect_rc 0 "$TARN" cat comma.csv --decimal-separator , --format jsonl
expect_out '{"p":1.50,"q":"1.500"}
{"p":-2.25,"q":"2.000"}
'
expect_rc 0 "$TARN" cat comma.csv --decimal-separator , --types 'p double' --format csv
expect_in out "1.5,1.500" "-2.25,2.000"
expect_rc 1 "$TARN" cat comma.csv --decimal-separator , --types 'q double'
expect_in err "comma.csv:2:5: column 'q': cannot parse as double: '1.500'"
expect_rc 1 "$TARN" cat comma.csv --decimal-separator x
expect_in err "option 'decimal_separator': expected '.' or ',', got 'x'"
# JSON decimals: double by default (as DuckDB), exact decimals on request
printf '{"p": 12.50}\n{"p": 3.1}\n' >money.jsonl
expect_rc 0 "$TARN" sniff money.jsonl
expect_in out "  p: double"
expect_rc 0 "$TARN" cat money.jsonl --decimal-inference true --format jsonl
expect_out '{"p":12.50}
{"p":3.10}
'

# custom date and timestamp formats, for inference and explicit types
printf 'day,at\n03/04/2024,03/04/2024 17:05\n31/12/2023,01/01/2024 00:00\n' >fmt.csv
expect_rc 0 "$TARN" sniff fmt.csv --date-format '%d/%m/%Y' --timestamp-format '%d/%m/%Y %H:%M'
expect_in out "  day: date32 (the given format)" "  at: timestamp[us] (the given format)"
expect_rc 0 "$TARN" cat fmt.csv --date-format '%d/%m/%Y' --timestamp-format '%d/%m/%Y %H:%M' --format jsonl
expect_out '{"day":"2024-04-03","at":"2024-04-03T17:05:00.000000"}
{"day":"2023-12-31","at":"2024-01-01T00:00:00.000000"}
'
printf 'day\n03/04/2024\n2024-04-05\n' >fmtbad.csv
expect_rc 1 "$TARN" cat fmtbad.csv --date-format '%d/%m/%Y' --types 'day date'
expect_in err "fmtbad.csv:3:1: column 'day': cannot parse as date32 with format '%d/%m/%Y': '2024-04-05'"
expect_rc 1 "$TARN" cat fmt.csv --date-format '%d/%q'
expect_in err "option 'date_format': not a format: '%d/%q'"

finish
