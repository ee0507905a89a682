#!/usr/bin/env bash
# `tarn store` and store URLs in `tarn cat/schema/convert`, end to end, against
# two servers started here on 127.0.0.1: s3rver (S3) and the GCS test server
# (tests/interop/gcs_server.mjs, which honours no-clobber preconditions).
set -euo pipefail
src=${TARN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tarn=${TARN:-$src/build/tarn}
s3rver="$src/peers/node_modules/.bin/s3rver"
[ -x "$s3rver" ] || { echo "s3rver is not installed (run scripts/setup.sh)"; exit 1; }
dir=$(mktemp -d)
source "$src/tests/interop/lib/port.sh"
s3port=$(free_port)
gsport=$(free_port "$s3port")
NODE_OPTIONS=--openssl-legacy-provider "$s3rver" -d "$dir/s3" -a 127.0.0.1 -p "$s3port" \
  --service-endpoint localhost --configure-bucket lake --silent &
pids=$!
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/key.pem" 2>/dev/null
openssl pkey -in "$dir/key.pem" -pubout -out "$dir/pub.pem"
email=tarn-cli@tarn-project.iam.gserviceaccount.com
node -e 'const fs=require("fs");fs.writeFileSync(process.argv[1],JSON.stringify({type:"service_account",
  client_email:process.argv[2],private_key:fs.readFileSync(process.argv[3],"utf8"),
  token_uri:"http://127.0.0.1:"+process.argv[4]+"/token"}))' "$dir/sa.json" "$email" "$dir/key.pem" "$gsport"
node "$src/tests/interop/gcs_server.mjs" "$gsport" "$dir/pub.pem" "$email" >/dev/null &
pids="$pids $!"
cleanup() { rc=$?; kill $pids 2>/dev/null || true; wait $pids 2>/dev/null || true; rm -rf "$dir"; exit $rc; }
trap cleanup EXIT
for p in "$s3port" "$gsport"; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$p/" && break; sleep 0.1; done
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$s3port" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
export AWS_REGION=us-east-1 TARN_S3_EMULATE_SUFFIX_RANGE=1
export GOOGLE_APPLICATION_CREDENTIALS="$dir/sa.json" STORAGE_EMULATOR_HOST="http://127.0.0.1:$gsport"
fail() { echo "FAIL: $*"; exit 1; }
cd "$dir"

"$tarn" example orders.arrow
"$tarn" store put orders.arrow s3://lake/raw/
out=$("$tarn" store ls s3://lake/raw/ -l)
grep -q "s3://lake/raw/orders.arrow" <<<"$out" || fail "ls -l: $out"
grep -q "1 objects, $(stat -c %s orders.arrow) bytes" <<<"$out" || fail "ls -l totals: $out"
"$tarn" store head s3://lake/raw/orders.arrow | grep -q "size: $(stat -c %s orders.arrow)" || fail head
# one level vs recursive
"$tarn" store put orders.arrow s3://lake/raw/2024/orders.arrow
[ "$("$tarn" store ls s3://lake/raw/)" = $'s3://lake/raw/2024/\ns3://lake/raw/orders.arrow' ] || fail "ls one level"
[ "$("$tarn" store ls -r s3://lake/ | wc -l)" = 2 ] || fail "ls -r"
[ "$("$tarn" store ls 's3://lake/**/*.arrow' | wc -l)" = 2 ] || fail "ls glob"
# formats read and write through the store, with the same results as locally
diff <("$tarn" cat orders.arrow --format jsonl) <("$tarn" cat s3://lake/raw/orders.arrow --format jsonl) || fail "cat remote"
diff <("$tarn" schema orders.arrow) <("$tarn" schema s3://lake/raw/orders.arrow) || fail "schema remote"
"$tarn" convert s3://lake/raw/orders.arrow gs://lake/clean/orders.arrows --compression zstd
"$tarn" convert orders.arrow local.csv
"$tarn" convert gs://lake/clean/orders.arrows gs://lake/clean/orders.csv
"$tarn" store cat gs://lake/clean/orders.csv | cmp - local.csv || fail "csv via gs"
# cross-store copy, download, byte for byte
"$tarn" store cp s3://lake/raw/orders.arrow gs://lake/copy/orders.arrow
"$tarn" store get gs://lake/copy/orders.arrow back.arrow
cmp back.arrow orders.arrow || fail "round trip s3 -> gs -> local"
# a larger object: one streamed PUT from the file, a copy between services
# whose upload pulls the source in 8 MiB ranged reads, one streamed GET back
head -c $((20 * 1048576 + 12345)) /dev/urandom > big.bin
"$tarn" store put big.bin s3://lake/big/big.bin
"$tarn" store cp s3://lake/big/big.bin gs://lake/big/big.bin
"$tarn" store get gs://lake/big/big.bin big.back
cmp big.bin big.back || fail "20 MiB round trip s3 -> gs -> local"
"$tarn" store cat s3://lake/big/big.bin | cmp - big.bin || fail "20 MiB cat"
"$tarn" store rm s3://lake/big/big.bin gs://lake/big/big.bin
# an object of ten 5 MiB parts goes up and comes down as parallel parts:
# S3 multipart (create, 10 parts, complete), ranged GETs, GCS components
# composed; --stats counts the requests
head -c $((45 * 1048576 + 7)) /dev/urandom > huge.bin
"$tarn" store put huge.bin s3://lake/big/huge.bin --part-size 5MiB --concurrency 4 --stats 2> stats.txt
grep -q "^s3://lake: 12 requests (0 gets, 1 puts" stats.txt || fail "parallel put stats: $(cat stats.txt)"
"$tarn" store get s3://lake/big/huge.bin huge.back --part-size 5MiB --concurrency 3 --stats 2> stats.txt
grep -q "^s3://lake: 11 requests .* 47185927 bytes read" stats.txt || fail "parallel get stats: $(cat stats.txt)"
cmp huge.bin huge.back || fail "parallel round trip"
"$tarn" store cp s3://lake/big/huge.bin gs://lake/big/huge.bin --part-size 5MiB
"$tarn" store cat gs://lake/big/huge.bin --part-size 5MiB | cmp - huge.bin || fail "parallel s3 -> gs"
[ "$("$tarn" store ls -r gs://lake/big/)" = "gs://lake/big/huge.bin" ] || fail "components left: $("$tarn" store ls -r gs://lake/big/)"
"$tarn" store rm s3://lake/big/huge.bin gs://lake/big/huge.bin
set +e
"$tarn" store put huge.bin s3://lake/big/x.bin --concurrency 0 2> err.txt; code=$?
set -e
[ "$code" = 1 ] && grep -q "concurrency=0" err.txt || fail "bad concurrency: $code $(cat err.txt)"
# a named profile reaches the same server with its own settings, whatever
# the environment says
export TARN_CONFIG="$dir/stores.ini"
"$tarn" store config set emu type=s3 endpoint="http://127.0.0.1:$s3port" access_key_id=S3RVER \
  secret_access_key=S3RVER emulate_suffix_range=true
[ "$(AWS_ENDPOINT_URL=http://127.0.0.1:1 "$tarn" store ls emu://lake/raw/)" = $'emu://lake/raw/2024/\nemu://lake/raw/orders.arrow' ] \
  || fail "ls through a profile"
AWS_ACCESS_KEY_ID=WRONG "$tarn" store cp emu://lake/raw/orders.arrow prof.arrow
cmp prof.arrow orders.arrow || fail "get through a profile"
diff <("$tarn" cat orders.arrow --format jsonl) <("$tarn" cat emu://lake/raw/orders.arrow --format jsonl) \
  || fail "cat through a profile"
unset TARN_CONFIG
# no-clobber is refused where the service honours preconditions, and nothing changes
if "$tarn" store cp orders.arrow gs://lake/clean/orders.csv -n 2>err.txt; then fail "no-clobber overwrote"; fi
grep -q "already exists" err.txt || fail "no-clobber message: $(cat err.txt)"
"$tarn" store cat gs://lake/clean/orders.csv | cmp - local.csv || fail "no-clobber changed the object"
# move and delete; errors name the URL and exit 1
"$tarn" store mv gs://lake/copy/orders.arrow gs://lake/moved.arrow
[ "$("$tarn" store ls gs://lake/copy/ | wc -l)" = 0 ] || fail "mv left the source"
"$tarn" store rm gs://lake/moved.arrow s3://lake/raw/2024/orders.arrow
set +e
"$tarn" cat s3://lake/raw/missing.arrow 2>err.txt; code=$?
set -e
[ "$code" = 1 ] || fail "missing object exit $code"
grep -q "s3://lake/raw/missing.arrow" err.txt || fail "missing object message: $(cat err.txt)"
grep -q "tarn-spool" err.txt && fail "message names the spool file: $(cat err.txt)"
echo "store CLI: all checks passed"
