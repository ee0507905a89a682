#!/usr/bin/env bash
# Per-column Parquet writer options through `tarn convert`: codec with
# level, encoding and dictionary per column (top-level name or dotted leaf
# path), repeated flags adding up, the footer showing each, the values
# unchanged, and one-line errors for unknown columns, unknown encodings and
# encodings the column's type does not have.
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"

for i in $(seq 1 3000); do
    echo "{\"id\":$i,\"grp\":\"g$((i % 7))\",\"note\":\"note number $i repeated repeated repeated\",\"x\":{\"y\":$((i * 3)),\"z\":\"z$((i % 3))\"},\"f\":$i.5}"
done >in.jsonl
expect_rc 0 "$TARN" convert in.jsonl plain.parquet --compression none
expect_rc 0 "$TARN" convert in.jsonl cols.parquet --compression zstd:3 \
    --column-compression note=zstd:19 --column-compression grp=gzip:9 --column-compression x.z=none \
    --column-encoding id=DELTA_BINARY_PACKED --column-encoding f=BYTE_STREAM_SPLIT \
    --dictionary false --column-dictionary grp=true
expect_rc 0 "$TARN" parquet meta cols.parquet
meta() { # meta COLUMN: the codec and encodings lines of that column, one line
    awk -v c="  column $1" '$0 == c {on = 1; next} /^  column / {on = 0} on && /codec:|encodings:/' "$tmp/out" |
        sed 's/^ *//' | paste -sd' '
}
[ "$(meta id)" = "codec: ZSTD encodings: PLAIN, RLE, DELTA_BINARY_PACKED" ] || fail "id: $(meta id)"
[ "$(meta grp)" = "codec: GZIP encodings: PLAIN, RLE, RLE_DICTIONARY" ] || fail "grp: $(meta grp)"
[ "$(meta note)" = "codec: ZSTD encodings: PLAIN, RLE" ] || fail "note: $(meta note)"
[ "$(meta x.y)" = "codec: ZSTD encodings: PLAIN, RLE" ] || fail "x.y: $(meta x.y)"
[ "$(meta x.z)" = "codec: UNCOMPRESSED encodings: PLAIN, RLE" ] || fail "x.z: $(meta x.z)"
[ "$(meta f)" = "codec: ZSTD encodings: PLAIN, RLE, BYTE_STREAM_SPLIT" ] || fail "f: $(meta f)"

# the same values come back
expect_rc 0 "$TARN" cat plain.parquet --format jsonl
cp "$tmp/out" plain.out
expect_rc 0 "$TARN" cat cols.parquet --format jsonl
cmp -s plain.out "$tmp/out" || fail "values differ with per-column options"

# the level reaches the codec: zstd:1 vs zstd:19 on the long strings
size_of_note() {
    "$TARN" parquet meta "$1" | awk '$0 == "  column note" {on = 1; next} /^  column / {on = 0} on && /compressed:/ {print $2}'
}
expect_rc 0 "$TARN" convert in.jsonl l1.parquet --dictionary false --column-compression note=zstd:1
expect_rc 0 "$TARN" convert in.jsonl l19.parquet --dictionary false --column-compression note=zstd:19
[ "$(size_of_note l19.parquet)" -lt "$(size_of_note l1.parquet)" ] ||
    fail "zstd:19 ($(size_of_note l19.parquet) bytes) not smaller than zstd:1 ($(size_of_note l1.parquet))"

# a top-level struct name reaches every leaf under it
expect_rc 0 "$TARN" convert in.jsonl s.parquet --column-compression x=brotli
expect_rc 0 "$TARN" parquet meta s.parquet
[ "$(meta x.y | cut -d' ' -f2)" = "BROTLI" ] && [ "$(meta x.z | cut -d' ' -f2)" = "BROTLI" ] ||
    fail "x=brotli: $(meta x.y) / $(meta x.z)"

# errors: one line naming the column or the value, no output file
expect_rc 1 "$TARN" convert in.jsonl bad.parquet --column-compression nope=zstd
expect_in err 'column option for "nope": no such column'
expect_rc 1 "$TARN" convert in.jsonl bad.parquet --column-encoding note=DELTA_BINARY_PACKED
expect_in err 'column "note": encoding DELTA_BINARY_PACKED does not apply to its BYTE_ARRAY values'
expect_rc 1 "$TARN" convert in.jsonl bad.parquet --column-encoding id=FOO
expect_in err "unknown encoding 'FOO'"
expect_rc 1 "$TARN" convert in.jsonl bad.parquet --column-compression id=snappy:3x
expect_in err "bad level"
expect_rc 1 "$TARN" convert in.jsonl bad.parquet --column-dictionary id
expect_in err "expected COLUMN=VALUE"
[ ! -e bad.parquet ] || fail "a failed write left bad.parquet"
finish
