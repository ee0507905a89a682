#!/usr/bin/env bash
# Remote Parquet read by ranges: `tarn cat s3://.../x.parquet --columns a`
# against tests/interop/s3_server.mjs, whose /__stats counts the requests
# and the body bytes it sent. A projected read fetches the footer and the
# chunks of the selected column only — far less than the object — and
# gives the same rows as the local file; a filter, a limit and `schema`
# give the same answers too; a damaged object is an error naming its URL.
set -euo pipefail
src=${TARN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tarn=${TARN:-$src/build/tarn}
source "$src/tests/interop/lib/port.sh"
port=$(free_port)
dir=$(mktemp -d)
node "$src/tests/interop/s3_server.mjs" "$port" lake TESTKEY >/dev/null &
pid=$!
cleanup() { rc=$?; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; exit $rc; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/__stats" && break; sleep 0.1; done
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=TESTKEY AWS_SECRET_ACCESS_KEY=secret
export AWS_REGION=us-east-1
fail() { echo "FAIL: $*"; exit 1; }
stat_of() { curl -s "http://127.0.0.1:$port/__stats" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }
cd "$dir"
"$tarn" gen tpch --sf 0.02 -f parquet -o . -q
size=$(stat -c %s lineitem.parquet)
"$tarn" store put lineitem.parquet s3://lake/li.parquet
# a projection: same values as the local read, a few requests, a few bytes
r0=$(stat_of requests); b0=$(stat_of bytes_out)
"$tarn" cat s3://lake/li.parquet --columns l_quantity --format csv > remote.csv
r1=$(stat_of requests); b1=$(stat_of bytes_out)
"$tarn" cat lineitem.parquet --columns l_quantity --format csv > local.csv
cmp remote.csv local.csv || fail "projected remote read differs from the local one"
[ "$(wc -l < local.csv)" -gt 100000 ] || fail "too few rows: $(wc -l < local.csv)"
reqs=$((r1 - r0)); bytes=$((b1 - b0))
echo "projected read of 1 of 16 columns: $reqs requests, $bytes of $size bytes"
[ "$reqs" -le 6 ] || fail "$reqs requests for a projected read"
[ $((bytes * 10)) -lt "$size" ] || fail "$bytes bytes fetched of $size"
# two columns, a limit, a filter (pages read one by one), the schema
for args in "--columns l_orderkey,l_shipmode" "--limit 10" "--columns l_orderkey --where l_quantity<3"; do
  # shellcheck disable=SC2086
  diff <("$tarn" cat s3://lake/li.parquet $args --format csv) <("$tarn" cat lineitem.parquet $args --format csv) \
    || fail "cat $args differs"
done
diff <("$tarn" schema s3://lake/li.parquet) <("$tarn" schema lineitem.parquet) || fail "schema differs"
# SQL over the remote file, split into row-group partitions read on two
# threads (each with its own range cache), answers as over the local file
"$tarn" convert lineitem.parquet groups.parquet --row_group_size 10000
"$tarn" store put groups.parquet s3://lake/groups.parquet
q="SELECT l_returnflag, count(*), sum(l_quantity), min(l_comment) FROM '%s' WHERE l_orderkey > 1000 GROUP BY 1 ORDER BY 1"
diff <("$tarn" sql "$(printf "$q" s3://lake/groups.parquet)" --format csv --threads 2) \
  <("$tarn" sql "$(printf "$q" groups.parquet)" --format csv) || fail "sql over the remote file"
# the whole file still reads whole
cmp <("$tarn" cat s3://lake/li.parquet --format csv) <("$tarn" cat lineitem.parquet --format csv) || fail "full read"
# a damaged object: one line naming the URL, exit 1
head -c 100000 lineitem.parquet > cut.parquet
"$tarn" store put cut.parquet s3://lake/cut.parquet
set +e
"$tarn" cat s3://lake/cut.parquet 2> err.txt > /dev/null; code=$?
set -e
[ "$code" = 1 ] || fail "damaged object exit $code"
grep -q "s3://lake/cut.parquet" err.txt || fail "message: $(cat err.txt)"
echo "store parquet: all checks passed"
