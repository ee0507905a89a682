#!/usr/bin/env bash
# cat, schema, convert and example on real files: the built-in example
# written as Arrow IPC, converted to the IPC stream format (zstd, lz4), CSV
# and JSON Lines with exact expected text; projections, limits, and errors
# for missing files, unknown columns and options, with no partial output.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"

expect_rc 0 "$TARN" example o.arrow
[ -s o.arrow ] || fail "example wrote nothing"
[ "$(head -c 6 o.arrow)" = "ARROW1" ] || fail "o.arrow lacks the IPC file magic"

expect_rc 0 "$TARN" schema o.arrow
expect_out "id: int64 not null
customer: utf8
amount: decimal128(12, 2)
qty: int32
day: date32
ordered_at: timestamp[us, tz=UTC]
tags: list<item: utf8>
size: struct<w: double, h: double>
paid: bool
"

expect_rc 0 "$TARN" cat o.arrow --columns id,customer,amount,qty,ordered_at --max-rows 4
expect_out "┌───────┬──────────┬───────────────────┬───────┬─────────────────────────────┐
│  id   │ customer │      amount       │  qty  │         ordered_at          │
│ int64 │   utf8   │ decimal128(12, 2) │ int32 │    timestamp[us, tz=UTC]    │
├───────┼──────────┼───────────────────┼───────┼─────────────────────────────┤
│     1 │ Ada      │             19.99 │     2 │ 2024-01-01 10:00:00Z        │
│     2 │ Grace    │           1250.00 │     1 │ 2024-01-02 12:00:00.123456Z │
│   ⋮   │    ⋮     │         ⋮         │   ⋮   │              ⋮              │
│     7 │ Edsger   │             70.00 │     3 │ 2024-02-17 10:00:00Z        │
│     8 │ Ken      │        1234567.89 │     1 │ 2024-02-27 10:00:00.999999Z │
├───────┴──────────┴───────────────────┴───────┴─────────────────────────────┤
│ 8 rows (4 shown)                                                           │
└────────────────────────────────────────────────────────────────────────────┘
"

# narrow terminal: middle columns left out
expect_rc 0 "$TARN" cat o.arrow --limit 1 --max-width 40
expect_out "┌───────┬──────────┬───┬──────┐
│  id   │ customer │ … │ paid │
│ int64 │   utf8   │ … │ bool │
├───────┼──────────┼───┼──────┤
│     1 │ Ada      │ … │ true │
├───────┴──────────┴───┴──────┤
│ 9 columns (3 shown)         │
└─────────────────────────────┘
"

# rows and columns left out: both counts in one footer line
expect_rc 0 "$TARN" cat o.arrow --max-rows 2 --max-width 60 -c id,customer,amount,qty,day,paid
expect_out "┌───────┬──────────┬───┬───────┬────────────┬───────┐
│  id   │ customer │ … │  qty  │    day     │ paid  │
│ int64 │   utf8   │ … │ int32 │   date32   │ bool  │
├───────┼──────────┼───┼───────┼────────────┼───────┤
│     1 │ Ada      │ … │     2 │ 2024-01-01 │ true  │
│   ⋮   │    ⋮     │ … │   ⋮   │     ⋮      │   ⋮   │
│     8 │ Ken      │ … │     1 │ 2024-02-27 │ false │
├───────┴──────────┴───┴───────┴────────────┴───────┤
│ 8 rows (2 shown)  6 columns (5 shown)             │
└───────────────────────────────────────────────────┘
"

# the IPC stream format, compressed, reads back to the same rows
for codec in zstd lz4:1 none; do
    expect_rc 0 "$TARN" convert o.arrow "s-${codec%%:*}.arrows" --compression "$codec"
    expect_rc 0 "$TARN" cat "s-${codec%%:*}.arrows" --format jsonl
    cp "$tmp/out" "$tmp/stream.jsonl"
    expect_rc 0 "$TARN" cat o.arrow --format jsonl
    cmp -s "$tmp/out" "$tmp/stream.jsonl" || fail "$codec stream differs from the file"
done
[ "$(head -c 6 s-zstd.arrows)" != "ARROW1" ] || fail ".arrows was written in the file format"

expect_rc 0 "$TARN" convert o.arrow o.jsonl --columns id,customer,amount,day,tags,size --limit 2
expect_out ""
cat o.jsonl >"$tmp/out"
expect_out '{"id":1,"customer":"Ada","amount":19.99,"day":"2024-01-01","tags":["new","gift"],"size":{"w":10.5,"h":2.0}}
{"id":2,"customer":"Grace","amount":1250.00,"day":"2024-01-02","tags":[],"size":{"w":30.0,"h":20.0}}
'

expect_rc 0 "$TARN" convert s-zstd.arrows o.csv --columns customer,qty,tags,paid
cat o.csv >"$tmp/out"
expect_out 'customer,qty,tags,paid
Ada,2,"[""new"", ""gift""]",true
Grace,1,[],true
Linus,,"[""bulk""]",false
,10,,true
Zoë,1,"[""new""]",false
Barbara,100,"[""bulk"", ""sample""]",true
Edsger,3,"[""gift""]",true
Ken,1,"[""vip"", ""new""]",false
'
expect_rc 0 "$TARN" convert o.arrow semi.txt --to csv --delimiter ';' --header false --columns id,amount --limit 2
cat semi.txt >"$tmp/out"
expect_out '1;19.99
2;1250.00
'
expect_rc 0 "$TARN" cat o.arrow -f csv -c ordered_at,day -n 1
expect_out 'ordered_at,day
2024-01-01T10:00:00.000000Z,2024-01-01
'
# --from names the input format of a file whose extension says nothing
cp o.arrow data.bin
expect_rc 0 "$TARN" cat data.bin --from ipc -f jsonl -c id -n 1
expect_out '{"id":1}
'
expect_rc 0 "$TARN" --threads 1 --memory-limit 64MB cat o.arrow -n 0 -c id
expect_in out "0 rows"

# errors: one line "tarn: ..." naming the file, exit 1, nothing written
expect_rc 1 "$TARN" cat missing.arrow
expect_in err "tarn: " "missing.arrow"
expect_lines err 1
expect_rc 1 "$TARN" schema missing.arrows
expect_in err "missing.arrows"
expect_rc 1 "$TARN" cat o.arrow --columns id,custmer
expect_in err "column 'custmer' not found in o.arrow (closest: 'customer')"
expect_rc 1 "$TARN" convert o.arrow bad.csv --columns nope
expect_in err "column 'nope' not found"
[ ! -e bad.csv ] || fail "a failed convert left bad.csv"
expect_rc 1 "$TARN" convert o.arrow bad.csv --delim ';'
expect_in err "unknown option 'delim' for writing format csv" "delimiter"
[ ! -e bad.csv ] || fail "an unknown writer option left bad.csv"
expect_rc 1 "$TARN" convert o.arrow bad.arrow --compression brotli
expect_in err "unknown codec 'brotli'"
expect_rc 1 "$TARN" convert o.arrow bad.parquet.x
expect_in err "cannot tell the format of bad.parquet.x"
expect_rc 0 "$TARN" cat o.csv --format jsonl
expect_in out '{"customer":"Ada","qty":2,"tags":"[\"new\", \"gift\"]","paid":true}' '{"customer":null,"qty":10,"tags":null,"paid":true}'
expect_rc 1 "$TARN" convert o.arrow no/such/dir/x.csv
expect_in err "no/such/dir/x.csv"
printf 'not arrow at all' >junk.arrow
expect_rc 1 "$TARN" cat junk.arrow
expect_in err "junk.arrow"
expect_rc 1 "$TARN" --memory-limit 1KB cat o.arrow
expect_in err "memory limit"
ls -a | grep -q '\.tmp-' && fail "temporary files left behind: $(ls -a)"

finish
