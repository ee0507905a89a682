#!/usr/bin/env bash
# Failure injection under the object-store layer: Azurite (which honours
# conditional writes) behind tests/interop/fault_proxy.mjs, driven by the
# `faults` test of test_store: retries of 503/500/429/resets, truncated and
# delayed bodies, a create applied before a reset, a failed block commit.
set -euo pipefail
src=${TARN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${TARN_BUILD_DIR:-$src/build}
azurite="$src/peers/node_modules/.bin/azurite-blob"
[ -x "$azurite" ] || { echo "azurite is not installed (run scripts/setup.sh)"; exit 1; }
dir=$(mktemp -d)
source "$src/tests/interop/lib/port.sh"
port=$(free_port)
proxy=$(free_port "$port")
"$azurite" --silent --disableTelemetry --skipApiVersionCheck --inMemoryPersistence \
  --blobHost 127.0.0.1 --blobPort "$port" &
pids=$!
node "$src/tests/interop/fault_proxy.mjs" "$proxy" "$port" &
pids="$pids $!"
cleanup() { rc=$?; kill $pids 2>/dev/null || true; wait $pids 2>/dev/null || true; rm -rf "$dir"; exit $rc; }
trap cleanup EXIT
for p in "$port" "$proxy"; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$p/" && break; sleep 0.1; done
done
out=$(AZURE_STORAGE_ACCOUNT_NAME=devstoreaccount1 \
  AZURE_STORAGE_ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==' \
  AZURE_STORAGE_ENDPOINT="http://127.0.0.1:$proxy/devstoreaccount1" TARN_TEST_AZ_CONTAINER=faults \
  TARN_TEST_FAULT_PROXY="http://127.0.0.1:$proxy" TARN_STORE_MAX_RETRIES=5 TARN_STORE_RETRY_BASE_MS=10 \
  TARN_STORE_RETRY_MAX_MS=50 "$build/test_store" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
grep -q "fault suite ran through the proxy" <<<"$out"
