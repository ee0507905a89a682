#!/usr/bin/env bash
# Install everything tarn needs to build, test and benchmark on Debian 12:
# Debian packages (only those missing, so a second run takes a second) and
# the npm test/benchmark peers into peers/node_modules (never global).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev            # libFuzzer targets
  libzstd-dev liblz4-dev libxxhash-dev zlib1g-dev libsnappy-dev libbrotli-dev
  libcurl4-openssl-dev libssl-dev libjansson-dev libsqlite3-dev libedit-dev libpcre2-dev
  tzdata                              # IANA time zones for timestamp handling
  nodejs                              # peers for interop tests and benchmarks
  curl openssl zstd lz4 gzip          # command-line tools the tests drive
  valgrind hyperfine time python3     # measuring
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm peers: reinstall only when package-lock.json changed since the last install.
stamp=peers/node_modules/.tarn-installed
if [ ! -f "$stamp" ] || [ peers/package-lock.json -nt "$stamp" ]; then
  echo "setup: installing npm peers into peers/node_modules"
  # npm install, not npm ci: npm 11 rejects this lock file in ci mode over
  # nodejs-polars's platform packages, though install honours the lock.
  (cd peers && npm install --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$stamp"
fi
