#!/usr/bin/env bash
# The hostile CSV and JSON corpus through the CLI, each file with its
# expected result or error, and DuckDB's reading of the same file
# (csv_json_proof.mjs): quoted newlines and delimiters, doubled quotes, a
# BOM, CRLF, an empty file, a header only, one huge field, very wide rows,
# invalid UTF-8, numbers out of range, dates in odd formats, deep nesting,
# duplicate keys, ragged rows and bad values under each error policy (skip
# agrees with DuckDB's ignore_errors), a glob read by name as DuckDB's
# union_by_name, and round trips of the corpus through Parquet.
# Errors are one line naming file:line:column, with exit status 1.
source "$(dirname "$0")/../cli/lib/check.bash"
[ -d "$TARN_SOURCE_DIR/peers/node_modules/@duckdb/node-api" ] || { echo "DuckDB peer missing"; exit 1; }
cd "$tmp"
duck() { node "$TARN_SOURCE_DIR/tests/interop/csv_json_proof.mjs" "$@" || fail "DuckDB disagrees: $*"; }
# rep TEXT N: TEXT N times
rep() { local s; printf -v s '%*s' "$2" ''; printf '%s' "${s// /$1}"; }
# expect_error FILE MESSAGE [FLAGS...]: tarn cat fails with exactly "tarn: MESSAGE"
expect_error() {
    local f=$1 msg=$2
    shift 2
    run "$TARN" cat "$f" --format jsonl "$@"
    [ "$rc" -eq 1 ] || fail "$f: exit $rc, want 1"
    [ "$(cat "$tmp/err")" = "tarn: $msg" ] || fail "$f: stderr '$(cat "$tmp/err")', want 'tarn: $msg'"
}

# --- CSV ------------------------------------------------------------------
# quoted delimiters, LF and CRLF inside quotes, doubled quotes, empty
# quoted fields, a BOM and CRLF line ends
printf '\xef\xbb\xbfid,text,n\r\n1,"a, b",10\r\n2,"line1\nline2",20\r\n3,"cr\r\nlf",30\r\n4,"say ""hi""",40\r\n5,"",50\r\n6,,60\r\n' >quoted.csv
# ("" is an empty string, not NULL: DuckDB's allow_quoted_nulls = false)
duck same quoted.csv 'allow_quoted_nulls = false'
expect_rc 0 "$TARN" cat quoted.csv --format jsonl
expect_out $'{"id":1,"text":"a, b","n":10}\n{"id":2,"text":"line1\\nline2","n":20}\n{"id":3,"text":"cr\\r\\nlf","n":30}\n{"id":4,"text":"say \\"hi\\"","n":40}\n{"id":5,"text":"","n":50}\n{"id":6,"text":null,"n":60}\n'

# a header only: the columns, no rows (as DuckDB)
printf 'name,city\r\n' >header_only.csv
duck same header_only.csv ''
expect_rc 0 "$TARN" schema header_only.csv
expect_out $'name: utf8\ncity: utf8\n'

# an empty file: tarn refuses it (DuckDB invents one VARCHAR column)
: >empty.csv
expect_error empty.csv "empty.csv: no columns: the input is empty"

# one field of 1.5 MB, and rows 3000 columns wide
{ echo 'a,b'; printf '1,"'; head -c 1500000 /dev/zero | tr '\0' x; printf '"\n2,y\n'; } >huge.csv
duck same huge.csv ''
{
    seq -f 'c%g' 0 2999 | paste -sd,
    for r in 1 2 3; do seq -f "%g" $r $r $((r * 3000)) | paste -sd,; done
} >wide.csv
duck same wide.csv ''

# numbers out of int64's range are doubles (as DuckDB), its extremes exact
# int64; typed int64 the others are errors
printf 'a,b,c\n9223372036854775808,-9223372036854775809,9223372036854775807\n1,2,-9223372036854775808\n' >range.csv
duck same range.csv ''
expect_error range.csv "range.csv:2:1: column 'a': value out of range for int64: '9223372036854775808'" --types 'a int64'

# dates in odd formats: month/day/year, day.month.year and year/month/day
# are dates; DuckDB sniffs only the first, and agrees with the others when
# given their format
printf 'mdy,dmy,ymd\n03/17/2024,17.03.2024,2024/03/17\n12/01/2023,01.12.2023,2023/12/01\n' >dates.csv
expect_rc 0 "$TARN" cat dates.csv --format jsonl
expect_out $'{"mdy":"2024-03-17","dmy":"2024-03-17","ymd":"2024-03-17"}\n{"mdy":"2023-12-01","dmy":"2023-12-01","ymd":"2023-12-01"}\n'
cut -d, -f1 dates.csv >mdy.csv
duck same mdy.csv ''
cut -d, -f2 dates.csv >dmy.csv
duck same dmy.csv "dateformat = '%d.%m.%Y'" --date-format '%d.%m.%Y'

# invalid UTF-8: an error naming the place; DuckDB refuses the file too
printf 'a,b\n1,ok\n2,bad\xff\xfe\n' >utf8.csv
expect_error utf8.csv "$(printf "utf8.csv:3:3: column 'b': invalid UTF-8 in 'bad\xff\xfe'")"
duck rejects utf8.csv ''

# ragged rows and bad values under the three policies
printf 'a,b\n1,x\n2\n3,y,z\n4,"w"\n5,q\n' >ragged.csv
expect_error ragged.csv "ragged.csv:3:1: expected 2 fields, found 1"
duck same ragged.csv "header = true, delim = ',', ignore_errors = true" --on-error skip
expect_rc 0 "$TARN" cat ragged.csv --format jsonl --on-error skip --reject-file rejects.txt
expect_out $'{"a":1,"b":"x"}\n{"a":4,"b":"w"}\n{"a":5,"b":"q"}\n'
[ "$(cat rejects.txt)" = "$(printf 'ragged.csv:3:1: expected 2 fields, found 1\t2\nragged.csv:4:1: expected 2 fields, found 3\t3,y,z')" ] ||
    fail "reject report: $(cat rejects.txt)"
printf 'id,v\n1,10\nx2,20\n3,abc\n4,40\n' >values.csv
expect_error values.csv "values.csv:3:1: column 'id': cannot parse as int64: 'x2'" --types 'id int, v int'
duck same values.csv "types = {'id': 'BIGINT', 'v': 'BIGINT'}, ignore_errors = true" --types 'id int, v int' --on-error skip
expect_rc 0 "$TARN" cat values.csv --format jsonl --types 'id int, v int' --on-error null
expect_out $'{"id":1,"v":10}\n{"id":null,"v":20}\n{"id":3,"v":null}\n{"id":4,"v":40}\n'

# files of a glob, by column name (DuckDB's union_by_name)
mkdir g
printf 'id,x,d\n1,10,2024-01-02\n2,20,2024-01-03\n' >g/p1.csv
printf 'x,name,d\n1.5,ann,2024-01-04\n' >g/p2.csv
printf 'id,name\n7,bob\n' >g/p3.csv
duck same 'g/p*.csv' 'union_by_name = true'

# --- JSON -----------------------------------------------------------------
# a BOM and CRLF; numbers out of range are doubles; int and float in one
# column widen to double (all as DuckDB)
printf '\xef\xbb\xbf{"a": 1, "s": "x"}\r\n{"a": 2, "s": "y\\r\\nz"}\r\n' >bom.jsonl
duck same bom.jsonl ''
printf '{"a": 18446744073709551616, "b": 1e300, "c": -9223372036854775809}\n{"a": 1, "b": 2, "c": 3}\n' >range.jsonl
duck same range.jsonl ''
printf '{"a": 1}\n{"a": 2.5}\n{"a": -3}\n' >widen.jsonl
duck same widen.jsonl ''
# and a string among them widens to string, the string's own text (DuckDB
# keeps it as JSON text, "x" with its quotes)
printf '{"a": 1}\n{"a": 2.5}\n{"a": "x"}\n' >widen_str.jsonl
expect_rc 0 "$TARN" cat widen_str.jsonl --format jsonl
expect_out $'{"a":"1"}\n{"a":"2.5"}\n{"a":"x"}\n'
# nesting 40 deep reads as DuckDB reads it; 3000 deep is an error
printf '{"a": %s1%s}\n{"a": %s%s}\n' "$(rep '[' 40)" "$(rep ']' 40)" "$(rep '[' 40)" "$(rep ']' 40)" >deep.jsonl
duck same deep.jsonl ''
printf '{"a":%s%s}\n' "$(rep '[' 3000)" "$(rep ']' 3000)" >deeper.jsonl
expect_error deeper.jsonl "deeper.jsonl:1:517: nesting is deeper than max_depth"
# duplicate keys: the last one wins (DuckDB refuses the row)
printf '{"a": 1, "b": 2, "a": 3}\n' >dup.jsonl
expect_rc 0 "$TARN" cat dup.jsonl --format jsonl
expect_out $'{"a":3,"b":2}\n'
# invalid UTF-8 and broken syntax: errors naming the place (DuckDB
# refuses the first, and accepts the trailing comma tarn refuses)
printf '{"a": "ok"}\n{"a": "bad\xff"}\n' >utf8.jsonl
expect_error utf8.jsonl "$(printf "utf8.jsonl:2:7: column 'a': invalid UTF-8 in: cannot convert string 'bad\xff'")"
duck rejects utf8.jsonl ''
printf '{"a": 1}\n{"a": 2,}\n{"a": 3}\n' >comma.jsonl
expect_error comma.jsonl "comma.jsonl:2:9: expected a key in quotes"
expect_rc 0 "$TARN" cat comma.jsonl --format jsonl --on-error skip
expect_out $'{"a":1}\n{"a":3}\n'

# --- round trips through Parquet -------------------------------------------
for f in quoted.csv wide.csv huge.csv dates.csv; do
    expect_rc 0 "$TARN" convert "$f" "$f.parquet"
    expect_rc 0 "$TARN" convert "$f.parquet" "back_$f"
    cmp -s <("$TARN" cat "$f" --format jsonl) <("$TARN" cat "back_$f" --format jsonl) ||
        fail "$f -> Parquet -> CSV changed values"
done
# (20 levels of lists: Parquet's definition levels of 40 deep pass the
# writer's limit of 60)
printf '{"a": %s1%s, "b": {"c": [{"d": null}, {"d": [1, 2]}]}}\n' "$(rep '[' 20)" "$(rep ']' 20)" >deep20.jsonl
for f in bom.jsonl range.jsonl widen_str.jsonl deep20.jsonl dup.jsonl; do
    expect_rc 0 "$TARN" convert "$f" "$f.parquet"
    expect_rc 0 "$TARN" convert "$f.parquet" "back_$f"
    cmp -s <("$TARN" cat "$f" --format jsonl) <("$TARN" cat "back_$f" --format jsonl) ||
        fail "$f -> Parquet -> JSON changed values"
done
finish
