#!/usr/bin/env bash
# Reading speed of tarn's CSV and JSON readers next to DuckDB and Polars on
# the same generated files (1M rows, 8 columns: ints, doubles, text with
# quotes, booleans, dates, timestamps). Usage: bench/csv_json.sh [THREADS]
# with TARN_BUILD_DIR pointing at a release build.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${TARN_BUILD_DIR:-$src/build}
threads=${1:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import random, sys, json
random.seed(7)
d = sys.argv[1]
with open(d + '/b.csv', 'w') as f, open(d + '/b.jsonl', 'w') as g:
    f.write('id,name,price,qty,ok,day,ts,note\n')
    for i in range(1000000):
        row = (i, 'name_%d' % random.randint(0, 99999), round(random.random() * 1000, 2), random.randint(-500, 500),
               random.choice([True, False]), '2024-%02d-%02d' % (random.randint(1, 12), random.randint(1, 28)),
               '2024-01-01 %02d:%02d:%02d' % (random.randint(0, 23), random.randint(0, 59), random.randint(0, 59)),
               'note, with comma %d' % (i % 97))
        f.write('%d,%s,%.2f,%d,%s,%s,%s,"%s"\n' % (row[0], row[1], row[2], row[3], str(row[4]).lower(), row[5], row[6], row[7]))
        if i < 300000:
            g.write(json.dumps(dict(zip(['id', 'name', 'price', 'qty', 'ok', 'day', 'ts', 'note'], row))) + '\n')
PY
for kind in csv json; do
    f=$tmp/b.csv
    [ $kind = json ] && f=$tmp/b.jsonl
    echo "== $kind $(du -h "$f" | cut -f1)"
    TARN_THREADS=$threads "$build/csv_read" "$f" $kind
    TARN_SOURCE_DIR=$src node "$src/bench/csv_json_peers.mjs" "$f" $kind "$threads"
done
