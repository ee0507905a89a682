#!/usr/bin/env bash
# The S3 backend against tests/interop/s3_server.mjs, which honours
# conditional writes and tracks multipart uploads (s3rver does neither): the
# operation suite with conditional checks on, aborted and failed multipart
# uploads cleaned up on the service, a multipart create-if-absent refused.
set -euo pipefail
src=${TARN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${TARN_BUILD_DIR:-$src/build}
source "$src/tests/interop/lib/port.sh"
port=$(free_port)
node "$src/tests/interop/s3_server.mjs" "$port" lake TESTKEY >/dev/null &
pid=$!
cleanup() { rc=$?; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; exit $rc; }
trap cleanup EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/__uploads" && break; sleep 0.1; done
out=$(AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=TESTKEY AWS_SECRET_ACCESS_KEY=secret \
  AWS_REGION=us-east-1 TARN_STORE_MAX_RETRIES=2 TARN_STORE_RETRY_BASE_MS=5 TARN_STORE_RETRY_MAX_MS=20 \
  TARN_TEST_S3_CHECKS="http://127.0.0.1:$port" "$build/test_store" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
grep -q "s3 request checks ran" <<<"$out"
