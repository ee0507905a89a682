#!/usr/bin/env bash
# Object-store transfer speed of tarn next to curl against the same server on
# loopback: a 1 GiB object put from /dev/shm and got back to /dev/shm, on
# s3rver (S3) and Azurite in memory (Azure Blob), engines alternating, one
# warm-up and REPS measured runs. "tarn" is one streamed request like curl
# (--concurrency 1); "tarn-parallel" the default for large objects: 8 MiB
# parts, 4 in flight (multipart upload / staged blocks, ranged GETs). Then
# Parquet scans (lineitem, TPC-H SF1) through bench_io from s3rver and from
# local disk: every column, and one column (ranges of that column only).
# Usage: bench/store_vs_curl.sh [REPS] with a release build in
# $TARN_BUILD_DIR (default build/); TARN_BENCH_PARQUET names an existing
# lineitem.parquet to skip generating one. Writes bench/results/store-s3-DATE.md.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${TARN_BUILD_DIR:-$src/build}
reps=${1:-3}
bin="$src/peers/node_modules/.bin"
tmp=$(mktemp -d /dev/shm/tarn-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
wait_port() { for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.1; done; }

s3port=$((20000 + RANDOM % 20000)) azport=$((s3port + 1))
mkdir -p "$tmp/s3" "$tmp/az"
NODE_OPTIONS=--openssl-legacy-provider "$bin/s3rver" -d "$tmp/s3" -a 127.0.0.1 -p "$s3port" \
  --service-endpoint localhost --configure-bucket bench --silent &
pids+=($!)
"$bin/azurite-blob" --silent --disableTelemetry --skipApiVersionCheck --inMemoryPersistence \
  --blobHost 127.0.0.1 --blobPort "$azport" &
pids+=($!)
wait_port "$s3port"
wait_port "$azport"

export AWS_ENDPOINT_URL="http://127.0.0.1:$s3port" AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER \
  AWS_REGION=us-east-1 TARN_S3_EMULATE_SUFFIX_RANGE=1
azkey='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
export AZURE_STORAGE_ACCOUNT_NAME=devstoreaccount1 AZURE_STORAGE_ACCOUNT_KEY="$azkey" \
  AZURE_STORAGE_ENDPOINT="http://127.0.0.1:$azport/devstoreaccount1"
azbase="http://127.0.0.1:$azport/devstoreaccount1"

# An account SAS (version 2019-12-12) for curl, signed with the emulator's key.
sas=$(node -e '
const c = require("crypto"), [key] = process.argv.slice(1);
const f = {sv: "2019-12-12", ss: "b", srt: "sco", sp: "rwdlac", se: "2099-01-01T00:00:00Z", spr: "http"};
const s = ["devstoreaccount1", f.sp, f.ss, f.srt, "", f.se, "", f.spr, f.sv, ""].join("\n");
f.sig = c.createHmac("sha256", Buffer.from(key, "base64")).update(s).digest("base64");
console.log(new URLSearchParams(f).toString());' "$azkey")
curl -sSf -X PUT "$azbase/bench?restype=container&$sas" -o /dev/null

head -c $((1 << 30)) /dev/urandom > "$tmp/in.bin"
s3curl=(--aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")

# cmd_for OP ENGINE SERVER: the command line of one run.
cmd_for() {
  local op=$1 engine=$2 server=$3 url
  if [ "$server" = s3 ]; then url="s3://bench/big.bin"; else url="az://bench/big.bin"; fi
  case "$engine-$op" in
    tarn-put) echo "$build/tarn store put $tmp/in.bin $url --concurrency 1" ;;
    tarn-get) echo "$build/tarn store get $url $tmp/out.bin --concurrency 1" ;;
    tarn-parallel-put) echo "$build/tarn store put $tmp/in.bin $url --part-size 8MiB --concurrency 4" ;;
    tarn-parallel-get) echo "$build/tarn store get $url $tmp/out.bin --part-size 8MiB --concurrency 4" ;;
    curl-put) if [ "$server" = s3 ]; then echo "curl -sSf ${s3curl[*]@Q} -T $tmp/in.bin http://127.0.0.1:$s3port/bench/big.bin -o /dev/null"
              else echo "curl -sSf -H 'x-ms-blob-type: BlockBlob' -T $tmp/in.bin '$azbase/bench/big.bin?$sas' -o /dev/null"; fi ;;
    curl-get) if [ "$server" = s3 ]; then echo "curl -sSf ${s3curl[*]@Q} http://127.0.0.1:$s3port/bench/big.bin -o $tmp/out.bin"
              else echo "curl -sSf '$azbase/bench/big.bin?$sas' -o $tmp/out.bin"; fi ;;
  esac
}

# timed CMD: appends "seconds peakKB" of one run to $tmp/times.
runs="$tmp/runs.tsv"
: > "$runs"
# A run that fails is tried once more (Azurite in memory has answered a
# Put Blob with 409 now and then after many large uploads); the retry is
# logged and counted in the results' notes.
timed() {
  if ! /usr/bin/time -f "%e %M" -o "$tmp/t" bash -c "$1"; then
    echo "failed, running again: $1" >&2
    echo "$1" >> "$tmp/retried"
    /usr/bin/time -f "%e %M" -o "$tmp/t" bash -c "$1" || { echo "failed: $1" >&2; exit 1; }
  fi
  cat "$tmp/t"
}

for server in s3 az; do
  for op in put get; do
    for i in $(seq 0 "$reps"); do
      for engine in tarn tarn-parallel curl; do
        rm -f "$tmp/out.bin"
        r=$(timed "$(cmd_for "$op" "$engine" "$server")")
        [ -f "$tmp/retried" ] && echo "$server $op $engine run $i was run again after a failure" >> "$tmp/notes" && rm "$tmp/retried"
        [ "$op" = get ] && ! cmp -s "$tmp/in.bin" "$tmp/out.bin" && { echo "$engine $server get: wrong bytes" >&2; exit 1; }
        [ "$i" -gt 0 ] && printf '%s\t%s\t%s\t%s\n' "$op 1 GiB ($server)" "$engine" $r >> "$runs"
        echo "$server $op $engine run $i: $r" >&2
      done
    done
  done
done
rm -f "$tmp/out.bin" "$tmp/in.bin"

# The Parquet scan: lineitem from TPC-H SF1, uploaded once to s3rver.
pq=${TARN_BENCH_PARQUET:-}
if [ -z "$pq" ]; then
  "$build/tarn" gen tpch --sf 1 --format parquet --out "$tmp/tpch" -q
  pq="$tmp/tpch/lineitem.parquet"
fi
"$build/tarn" store put "$pq" s3://bench/lineitem.parquet
for cols in "" "columns=l_quantity"; do
  task="Parquet scan lineitem SF1${cols:+, 1 of 16 columns}"
  for i in $(seq 0 "$reps"); do
    for engine in local s3; do
      what=$pq
      [ $engine = s3 ] && what=s3://bench/lineitem.parquet
      r=$(timed "$build/bench_io read $what $cols > /dev/null")
      [ "$i" -gt 0 ] && printf '%s\t%s\t%s\t%s\n' "$task" "$engine" $r >> "$runs"
      echo "parquet $cols $engine run $i: $r" >&2
    done
  done
done

out="$src/bench/results/store-s3-$(date -u +%F).md"
mkdir -p "$src/bench/results"
touch "$tmp/notes"
NOTES="$tmp/notes" python3 - "$runs" "$out" "$reps" \
  "$("$build/tarn" --version 2>&1 | head -1)" "$(curl --version | head -1)" \
  "s3rver $(node -p "require('$src/peers/node_modules/s3rver/package.json').version")" \
  "azurite $(node -p "require('$src/peers/node_modules/azurite/package.json').version")" "$(node --version)" <<'PY'
import sys, statistics, time, os
runs, out, reps, *versions = sys.argv[1:]
rows = {}
for line in open(runs):
    task, engine, sec, kb = line.rstrip('\n').split('\t')
    rows.setdefault(task, {}).setdefault(engine, []).append((float(sec), int(kb)))
mem = os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30
lines = ['# bench: store-s3', '',
         time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()) +
         f' · {os.cpu_count()} cores, {mem:.1f} GiB · loopback · {reps} repetitions after 1 warm-up, engines alternating',
         '', 'Versions:'] + [f'- {v}' for v in versions] + ['',
         'Times are wall seconds of the whole process (/usr/bin/time), peak RSS its maximum resident set. '
         'MB/s is 1 GiB (1073.7 MB) over the median; the Parquet rows have no MB/s. '
         'Ratio is tarn throughput over curl throughput (above 1 means tarn is faster); for the scan, s3 time over local time. '
         '"tarn" sends one streamed request as curl does (--concurrency 1); "tarn-parallel" 8 MiB parts, 4 in flight '
         '(S3 multipart upload / Azure staged blocks / ranged GETs written in order). The emulators are single-threaded '
         'Node processes on a shared 2-core machine, so parallel parts show their overhead here, not the gain real '
         'services give (per-connection throughput limits).',
         '', '| task | engine | median s | min s | max s | MB/s | ratio | peak RSS MB |', '|---|---|---:|---:|---:|---:|---:|---:|']
for task, engines in rows.items():
    base = None
    for engine, rs in engines.items():
        t = [r[0] for r in rs]
        med = statistics.median(t)
        rss = max(r[1] for r in rs) / 1024
        mbs = f'{2**30 / 1e6 / med:.0f}' if 'GiB' in task else ''
        ratio = ''
        if 'GiB' in task and engine.startswith('tarn'):
            c = statistics.median(x[0] for x in engines['curl'])
            ratio = f'{c / med:.2f}'
        if 'Parquet' in task:
            if base is None:
                base = med
            else:
                ratio = f'{med / base:.2f}'
        lines.append(f'| {task} | {engine} | {med:.3f} | {min(t):.3f} | {max(t):.3f} | {mbs} | {ratio} | {rss:.0f} |')
notes = [l.strip() for l in open(os.environ['NOTES']) if l.strip()]
if notes:
    lines += ['', 'Runs that failed once and were run again:'] + [f'- {n}' for n in notes]
open(out, 'w').write('\n'.join(lines) + '\n')
print('\n'.join(lines))
PY
echo "wrote $out" >&2
