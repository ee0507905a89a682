#!/usr/bin/env bash
# `tarn sql` end to end: a query from the argument, a script from a file and
# from stdin (the last result printed), the output formats (CSV with a
# header, NULL as an empty field, "" for the empty string; JSON Lines; a
# table), --output in the file's format and atomically, files as tables,
# --threads and --memory-limit, one-line errors with line and column,
# usage errors, Ctrl-C stopping a query, and the interactive shell on a
# terminal (multi-line statements, dot commands, history).
source "$(dirname "$0")/lib/check.bash"
cd "$tmp"

# a query from the argument, in each output format
expect_rc 0 "$TARN" sql "SELECT 42 AS answer" --format csv
expect_out "answer
42
"
expect_rc 0 "$TARN" sql "SELECT NULL::VARCHAR AS a, '' AS b, 'x,y' AS c, 1.50 AS d" --format csv
expect_out 'a,b,c,d
,"","x,y",1.50
'
expect_rc 0 "$TARN" sql "SELECT 1 AS i, 'a' AS s, NULL::INTEGER AS n, true AS b" --format jsonl
expect_out '{"i":1,"s":"a","n":null,"b":true}
'
expect_rc 0 "$TARN" sql "SELECT 7 AS seven, 'txt' AS word"
expect_in out seven word 7 txt

# EXPLAIN prints the plan as text, one operator per line, filters shown
expect_rc 0 "$TARN" sql "EXPLAIN SELECT x + 1 AS y FROM (VALUES (1), (2)) t(x) WHERE x > 1 ORDER BY y"
expect_in out ORDER_BY PROJECTION
if grep -q '│' out; then echo "FAIL: EXPLAIN printed as a table" >&2; exit 1; fi
expect_rc 0 "$TARN" sql "EXPLAIN SELECT 1" --format csv
expect_in out explain PROJECTION

# DuckDB's arithmetic: / of integers is a double, // divides integers
expect_rc 0 "$TARN" sql "SELECT 7 / 2 AS q, 7 // 2 AS d, sum(x) AS s FROM (VALUES (1), (2)) t(x)" --format csv
expect_out "q,d,s
3.5,3,3
"

# a script: statements in order, the last result printed
cat >script.sql <<'SQL'
-- a comment; with a semicolon
CREATE TABLE t (id INTEGER, name VARCHAR);
INSERT INTO t VALUES (1, 'one'), (2, 'two;semi'), (3, NULL);
SELECT id, name FROM t WHERE id >= 2 ORDER BY id;
SQL
expect_rc 0 "$TARN" sql -f script.sql --format csv
expect_out "id,name
2,two;semi
3,
"
run "$TARN" sql --format csv <script.sql
[ "$rc" -eq 0 ] || fail "script on stdin exited $rc: $(cat "$tmp/err")"
expect_out "id,name
2,two;semi
3,
"
expect_rc 0 "$TARN" sql -f - --format csv <script.sql
expect_in out "2,two;semi"

# files as tables
expect_rc 0 "$TARN" example o.arrow
expect_rc 0 "$TARN" convert o.arrow o.parquet
expect_rc 0 "$TARN" convert o.arrow o.csv
expect_rc 0 "$TARN" sql "SELECT count(*) AS n, sum(qty) AS q, max(customer) AS m FROM 'o.parquet'" --format csv
expect_out "n,q,m
8,118,Zoë
"
expect_rc 0 "$TARN" sql "SELECT p.id, c.qty FROM 'o.parquet' p JOIN 'o.csv' c ON p.id = c.id WHERE p.qty > 5 ORDER BY p.id" --format csv
expect_out "id,qty
4,10
6,100
"

# --output: the format of the extension, or --format; written atomically
expect_rc 0 "$TARN" sql "SELECT id, amount FROM 'o.parquet' WHERE id < 4 ORDER BY id" --output small.parquet
expect_rc 0 "$TARN" cat small.parquet --format csv
expect_out "id,amount
1,19.99
2,1250.00
3,3.50
"
expect_rc 0 "$TARN" sql "SELECT id FROM 'o.parquet' ORDER BY id DESC LIMIT 2" -o top.csv
[ "$(cat top.csv)" = "id
8
7" ] || fail "top.csv: $(cat top.csv)"
expect_rc 0 "$TARN" sql "SELECT 1 AS x" -o x.data --format parquet
expect_rc 0 "$TARN" cat x.data --from parquet --format csv
expect_out "x
1
"
expect_rc 0 "$TARN" sql "SELECT 'a' AS s" -o table.txt --format table
grep -q "│ a" table.txt || fail "table.txt: $(cat table.txt)"
expect_rc 1 "$TARN" sql "SELECT nope FROM 'o.parquet'" -o broken.parquet
[ ! -e broken.parquet ] || fail "a failed query left broken.parquet"
[ -z "$(ls -A | grep -e tmp -e '^\.')" ] || fail "temporary files left: $(ls -A)"

# --threads and --memory-limit give the same answer (DuckDB's, over the
# same generated lineitem)
expect_rc 0 "$TARN" gen tpch --sf 0.01 --format parquet --out gen --quiet
for opts in "--threads 1" "--threads 2" "--memory-limit 500MB"; do
    # shellcheck disable=SC2086
    expect_rc 0 "$TARN" sql "SELECT l_returnflag, count(*) AS n, sum(l_quantity) AS q FROM 'gen/lineitem.parquet' GROUP BY 1 ORDER BY 1" --format csv $opts
    expect_out "l_returnflag,n,q
A,14629,372997.00
N,29987,768497.00
R,15154,387418.00
"
done

# errors: one line naming line and column, with a hint; exit 1
expect_rc 1 "$TARN" sql "SELECT id, amuont FROM 'o.parquet'"
expect_lines err 1
expect_in err "line 1, column 12" "did you mean" "amount"
expect_rc 1 "$TARN" sql "SELECT 1 +"
expect_lines err 1
expect_in err "line 1, column 11"
printf 'SELECT 1;\nSELEC 2;\n' >bad.sql
expect_rc 1 "$TARN" sql -f bad.sql
expect_lines err 1
expect_in err "line 2, column 1"
expect_rc 1 "$TARN" sql "SELECT * FROM 'no-such-file.parquet'"
expect_in err "no-such-file.parquet"
expect_rc 1 "$TARN" sql -f no-such-script.sql
expect_in err "no-such-script.sql"
rm -f bad.sql

# usage errors: exit 2 with a hint
expect_rc 2 "$TARN" sql "SELECT 1" --format parquet
expect_in err "--output"
expect_rc 2 "$TARN" sql "SELECT 1" --format xml
expect_rc 2 "$TARN" sql "SELECT 1" -f script.sql
expect_rc 2 "$TARN" sql "SELECT 1" --max-rows many
expect_rc 0 "$TARN" sql --help
expect_in out "usage: tarn sql" --file --format --output --threads --memory-limit "examples:"
expect_rc 0 "$TARN" --help
expect_in out "sql"

# Ctrl-C stops the running query (not after it): exit 1, one line
timeout 300 "$TARN" sql "SELECT count(*) FROM 'gen/lineitem.parquet' a, 'gen/orders.parquet' b WHERE a.l_orderkey + b.o_orderkey = -1" \
    >out 2>err &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 1 ] || fail "interrupted query exited $rc, want 1 (124: not interrupted); $(cat err)"
expect_lines err 1

# the interactive shell, on a terminal (script(1) gives it one)
cat >shell.in <<'IN'
.help
CREATE TABLE birds (name VARCHAR, wings INTEGER);
INSERT INTO birds VALUES ('kiwi', 2),
  ('penguin', 2);
SELECT name,
       wings * 10 AS w
FROM birds
ORDER BY name;
.mode csv
SELECT count(*) AS n FROM birds;
.tables
.schema birds
.timer on
SELECT 1 AS one;
SELECT nope;
.bogus
.quit
IN
TARN_HISTORY="$tmp/history" timeout 60 script -qec "$TARN sql" /dev/null <shell.in >shell.out 2>&1
rc=$?
tr -d '\r' <shell.out >shell.txt
[ "$rc" -eq 0 ] || fail "shell exited $rc: $(head -c 2000 shell.txt)"
for want in ".tables" "kiwi" "penguin" "20" "n" "birds" "wings" "Run Time:" "Error:" "nope" \
    "unknown or incomplete command '.bogus'" "   ...> "; do
    grep -qF -- "$want" shell.txt || fail "shell output lacks '$want': $(head -c 3000 shell.txt)"
done
grep -qx "n" shell.txt && grep -qx "2" shell.txt || fail "csv mode: $(cat shell.txt)"
grep -qF "one;" "$tmp/history" || fail "history not written: $(cat "$tmp/history" 2>&1)"
finish
