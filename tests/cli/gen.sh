#!/usr/bin/env bash
# `tarn gen tpch`: the output layout for one and K files per table, the same
# bytes whatever the thread count, and clear usage errors.
set -euo pipefail
: "${TARN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tables="customer lineitem nation orders part partsupp region supplier"

"$TARN" gen tpch --sf 0.01 --out "$tmp/a" --format tbl --threads 1 --quiet
"$TARN" --threads 2 gen tpch --sf 0.01 --out "$tmp/b" --format tbl --quiet
[ "$(cd "$tmp/a" && ls | tr '\n' ' ')" = "$(for t in $tables; do printf '%s.tbl ' "$t"; done)" ] || fail "tables: $(ls "$tmp/a")"
for t in $tables; do
  cmp -s "$tmp/a/$t.tbl" "$tmp/b/$t.tbl" || fail "$t.tbl differs between 1 and 2 threads"
done
[ "$(wc -l < "$tmp/a/orders.tbl")" -eq 15000 ] || fail "orders rows"
[ "$(wc -l < "$tmp/a/region.tbl")" -eq 5 ] || fail "region rows"

# K files per table: a folder per table; the parts concatenate to the table.
"$TARN" gen tpch --sf 0.01 --out "$tmp/k" --format tbl --files-per-table 3 --quiet
for t in $tables; do
  [ -d "$tmp/k/$t" ] || fail "no folder $t"
  cat "$tmp/k/$t"/part-*.tbl | cmp -s - "$tmp/a/$t.tbl" || fail "$t parts differ from the single file"
done
[ "$(ls "$tmp/k/lineitem" | tr '\n' ' ')" = "part-0.tbl part-1.tbl part-2.tbl " ] || fail "lineitem parts"
[ "$(ls "$tmp/k/nation" | tr '\n' ' ')" = "part-0.tbl " ] || fail "nation parts"

# IPC by default, readable by tarn itself, writer options passed through;
# the same bytes with 1 and 2 threads.
"$TARN" gen tpch --sf 0.01 --out "$tmp/ipc" --compression zstd --quiet --threads 2
"$TARN" gen tpch --sf 0.01 --out "$tmp/ipc1" --compression zstd --quiet --threads 1
for t in $tables; do
  cmp -s "$tmp/ipc/$t.arrow" "$tmp/ipc1/$t.arrow" || fail "$t.arrow differs between 1 and 2 threads"
done
[ -s "$tmp/ipc/lineitem.arrow" ] || fail "no lineitem.arrow"
"$TARN" schema "$tmp/ipc/orders.arrow" | grep -q "o_totalprice" || fail "orders schema"
"$TARN" cat "$tmp/ipc/region.arrow" --format csv | grep -q "^4,MIDDLE EAST," || fail "region content"

# Usage errors: exit 2 and a message naming the problem; runtime errors exit 1.
expect() { # code message args...
  local code=$1 msg=$2; shift 2
  set +e; "$TARN" gen "$@" >/dev/null 2>"$tmp/err"; local rc=$?; set -e
  [ "$rc" -eq "$code" ] || fail "tarn gen $*: exit $rc, want $code"
  grep -qF -e "$msg" "$tmp/err" || fail "tarn gen $*: message '$(cat "$tmp/err")' lacks '$msg'"
}
expect 2 "--out DIR is required" tpch --sf 1
expect 2 "unknown dataset 'tpcds'" tpcds --out "$tmp/x"
expect 2 "--sf expects a positive number, got 'abc'" tpch --sf abc --out "$tmp/x"
expect 2 "--sf expects a positive number, got '0'" tpch --sf 0 --out "$tmp/x"
expect 2 "--files-per-table expects 1 to 100000" tpch --files-per-table 0 --out "$tmp/x"
# Parquet output holds the same rows as IPC output, table by table
"$TARN" gen tpch --sf 0.01 --format parquet --out "$tmp/pq" --quiet --compression zstd
"$TARN" gen tpch --sf 0.01 --out "$tmp/ipc" --quiet
for t in region nation supplier customer part partsupp orders lineitem; do
  cmp <("$TARN" cat "$tmp/pq/$t.parquet" --format jsonl) <("$TARN" cat "$tmp/ipc/$t.arrow" --format jsonl) \
    || fail "parquet and ipc output differ for $t"
done
expect 1 'unknown format "xml"' tpch --sf 0.01 --format xml --out "$tmp/x"
expect 1 "scale factor 20000 is out of range" tpch --sf 20000 --out "$tmp/x"
expect 1 "cannot create directory /dev/null/x" tpch --sf 0.01 --out /dev/null/x --format tbl
echo "gen: ok"
