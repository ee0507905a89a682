#!/usr/bin/env bash
# tarn's main job, step by step, on local disk with no server and no input
# data: generate a small TPC-H lake as Parquet, inspect it, query it with
# SQL, move data between Parquet, CSV, JSON Lines and Arrow IPC, manage the
# files as objects; then the built-in example shows every type tarn prints.
# Usage: bash scripts/demo-steps.sh path/to/tarn   (scripts/demo.sh calls it)
set -euo pipefail
tarn=$(cd "$(dirname "${1:?usage: demo-steps.sh path/to/tarn}")" && pwd)/$(basename "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

bold='' plain=''
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
# step "what it shows" command...: narrate, echo the command, run it
step() {
    printf '\n%s== %s%s\n$ tarn %s\n' "$bold" "$1" "$plain" "${*:3}"
    "${@:2}"
}

step "Generate TPC-H at scale factor 0.01 as zstd-compressed Parquet (8 tables, deterministic)" \
    "$tarn" gen tpch --sf 0.01 --format parquet --compression zstd --out lake --quiet
step "The lake's files, as objects" \
    "$tarn" store ls lake/ -l
step "The schema of lineitem" \
    "$tarn" schema lake/lineitem.parquet
step "Read only three columns of lineitem: the other column chunks are never decompressed" \
    "$tarn" cat lake/lineitem.parquet --columns l_orderkey,l_shipdate,l_extendedprice --limit 5
step "SQL over the files: TPC-H Q1's pricing summary (parallel scan and hash aggregation, exact decimals)" \
    "$tarn" sql "SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty,
                        sum(l_extendedprice * (1 - l_discount)) AS revenue, count(*) AS lines
                 FROM 'lake/lineitem.parquet'
                 WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY
                 GROUP BY ALL ORDER BY ALL"
step "A script: views over the lake, then a join; the last result is printed" \
    "$tarn" sql "CREATE VIEW customer AS SELECT * FROM 'lake/customer.parquet';
                 CREATE VIEW orders AS SELECT * FROM 'lake/orders.parquet';
                 SELECT c_name, count(*) AS orders, sum(o_totalprice) AS spent
                 FROM customer JOIN orders ON o_custkey = c_custkey
                 WHERE o_orderdate >= DATE '1997-01-01'
                 GROUP BY c_name ORDER BY spent DESC LIMIT 5"
step "EXPLAIN ANALYZE: the plan, rows and time per operator; the filters went into the Parquet scan" \
    "$tarn" sql "EXPLAIN ANALYZE SELECT o_orderpriority, count(*) FROM 'lake/orders.parquet'
                 WHERE o_orderdate BETWEEN DATE '1995-01-01' AND DATE '1995-03-31' GROUP BY 1 ORDER BY 1"
step "A mistyped column in SQL: line, column and a hint" \
    "$tarn" sql "SELECT o_totalprce FROM 'lake/orders.parquet'" || true
step "Convert orders to CSV, then let tarn detect the dialect and the types" \
    "$tarn" convert lake/orders.parquet orders.csv
"$tarn" sniff orders.csv
step "Load the CSV into Parquet with the types that were detected, and read it" \
    "$tarn" convert orders.csv orders_from_csv.parquet
"$tarn" cat orders_from_csv.parquet --columns o_orderkey,o_totalprice,o_orderdate,o_orderpriority --limit 3
step "Copy a table to another place atomically (the same command works for s3://, az://, gs://)" \
    "$tarn" store cp lake/nation.parquet archive/
step "Write a small example dataset as an Arrow IPC file" \
    "$tarn" example orders.arrow
step "Its columns and types" \
    "$tarn" schema orders.arrow
step "Its rows as a table (numbers right-aligned, NULLs shown, nested values as JSON)" \
    "$tarn" cat orders.arrow --columns id,customer,amount,qty,ordered_at,tags --max-width 120
step "Only a few rows of a long result: the middle is left out" \
    "$tarn" cat orders.arrow --columns id,customer,amount --max-rows 4
step "Convert to a zstd-compressed Arrow IPC stream" \
    "$tarn" convert orders.arrow orders.arrows --compression zstd
step "Read the stream back: the same rows" \
    "$tarn" cat orders.arrows --columns id,customer,day,size,paid
step "Convert to JSON Lines (exact decimals, ISO-8601 UTC timestamps)" \
    "$tarn" convert orders.arrows orders.jsonl --columns id,customer,amount,ordered_at,tags --limit 3
cat orders.jsonl
step "Convert to CSV (RFC 4180 quoting; NULL is an empty field)" \
    "$tarn" convert orders.arrow orders.csv --columns id,customer,qty,tags
cat orders.csv
step "Print straight to CSV or JSON Lines" \
    "$tarn" cat orders.arrows --format jsonl --columns id,size --limit 2
step "A mistyped column is a clear one-line error" \
    "$tarn" cat orders.arrow --columns id,custmer || true
printf '\nfiles written:\n'
ls -l "$work" | tail -n +2
