#!/usr/bin/env bash
# The object-store operation suite (test_store) against the GCS JSON API as
# served by tests/interop/gcs_server.mjs (no GCS emulator exists on this
# machine): a fresh RSA service-account key is made here, tarn signs its
# OAuth2 JWT with it, and the server verifies the JWT, the bearer tokens and
# the ifGenerationMatch preconditions.
set -euo pipefail
src=${TARN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${TARN_BUILD_DIR:-$src/build}
dir=$(mktemp -d)
source "$src/tests/interop/lib/port.sh"
port=$(free_port)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/key.pem" 2>/dev/null
openssl pkey -in "$dir/key.pem" -pubout -out "$dir/pub.pem"
email=tarn-test@tarn-project.iam.gserviceaccount.com
node -e 'const fs=require("fs");fs.writeFileSync(process.argv[1],JSON.stringify({type:"service_account",
  client_email:process.argv[2],private_key:fs.readFileSync(process.argv[3],"utf8"),
  token_uri:"http://127.0.0.1:"+process.argv[4]+"/token"}))' "$dir/sa.json" "$email" "$dir/key.pem" "$port"
node "$src/tests/interop/gcs_server.mjs" "$port" "$dir/pub.pem" "$email" &
pid=$!
cleanup() { rc=$?; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; exit $rc; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
out=$(GOOGLE_APPLICATION_CREDENTIALS="$dir/sa.json" STORAGE_EMULATOR_HOST="http://127.0.0.1:$port" \
  TARN_TEST_GCS_BUCKET=tarn-test "$build/test_store" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
grep -q "gcs suite ran against bucket tarn-test" <<<"$out"
