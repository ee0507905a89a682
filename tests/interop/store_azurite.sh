#!/usr/bin/env bash
# The object-store operation suite (test_store) against Azure Blob Storage as
# emulated by Azurite from npm, started here on 127.0.0.1 with a temporary
# directory. Azurite verifies SharedKey signatures and honours conditional
# headers, so the whole suite runs, conditional writes included.
set -euo pipefail
src=${TARN_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${TARN_BUILD_DIR:-$src/build}
azurite="$src/peers/node_modules/.bin/azurite-blob"
[ -x "$azurite" ] || { echo "azurite is not installed (run scripts/setup.sh)"; exit 1; }
dir=$(mktemp -d)
source "$src/tests/interop/lib/port.sh"
port=$(free_port)
"$azurite" --silent --disableTelemetry --skipApiVersionCheck --location "$dir" \
  --blobHost 127.0.0.1 --blobPort "$port" &
pid=$!
cleanup() { rc=$?; kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"; exit $rc; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done
out=$(AZURE_STORAGE_ACCOUNT_NAME=devstoreaccount1 \
  AZURE_STORAGE_ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==' \
  AZURE_STORAGE_ENDPOINT="http://127.0.0.1:$port/devstoreaccount1" TARN_TEST_AZ_CONTAINER=tarn-test \
  "$build/test_store" 2>&1) || { echo "$out"; exit 1; }
echo "$out"
grep -q "azure suite ran against container tarn-test" <<<"$out"
