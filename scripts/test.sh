#!/usr/bin/env bash
# Run every test: set up, build release and sanitizer flavours, run the whole
# ctest suite (unit, CLI, interop, fuzz-corpus replay) on both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)
status=0
for flavour in release asan; do
  echo "== $flavour build"
  scripts/build.sh "$flavour"
  dir=build; [ "$flavour" = asan ] && dir=build-asan
  echo "== $flavour tests"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$dir" -j "$jobs" --output-on-failure || status=1
done
exit $status
