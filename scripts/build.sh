#!/usr/bin/env bash
# Configure and build one flavour of tarn into build/ (release) or
# build-asan/ (AddressSanitizer + UBSan). Usage: scripts/build.sh [release|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
case "$flavour" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  asan)    dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTARN_SANITIZE=ON -DTARN_BUILD_BENCH=OFF) ;;
  *) echo "usage: scripts/build.sh [release|asan]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja -DTARN_DEV=ON "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
