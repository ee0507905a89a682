#!/usr/bin/env bash
# tarn's main job on a built-in example, on local disk, no server needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release >/dev/null
exec bash scripts/demo-steps.sh build/tarn
