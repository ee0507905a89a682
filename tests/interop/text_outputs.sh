#!/usr/bin/env bash
# CSV and JSON Lines written by tarn are read back by DuckDB with the right
# values and types: NULLs, an empty list, non-ASCII text, exact decimals,
# UTC timestamps with fractions (DuckDB's JSON reader takes them as naive
# timestamps of the same UTC instant), nested lists and structs.
source "$TARN_SOURCE_DIR/tests/cli/lib/check.bash"
peers="$TARN_SOURCE_DIR/peers/node_modules"
[ -d "$peers/@duckdb/node-api" ] || { echo "FAIL: npm peers missing at $peers (run scripts/setup.sh)"; exit 1; }
cd "$tmp"
expect_rc 0 "$TARN" example o.arrow
expect_rc 0 "$TARN" convert o.arrow o.csv
expect_rc 0 "$TARN" convert o.arrow o.jsonl

cat >check.js <<'JS'
const { DuckDBInstance } = require('@duckdb/node-api');
const fs = require('fs');
(async () => {
  // every line is valid JSON on its own
  const lines = fs.readFileSync('o.jsonl', 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  console.log('lines', lines.length, lines[4].customer, lines[1].tags.length, lines[0].size.w);
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const q = async (sql) => (await c.runAndReadAll(sql)).getRowsJson();
  for (const src of ["read_csv('o.csv')", "read_json('o.jsonl', format='newline_delimited')"]) {
    const rows = await q(`select count(*), sum(amount)::varchar, max(customer), count(customer), count(qty),
        epoch_us(max(ordered_at))::varchar, typeof(any_value(ordered_at))
        from ${src}`);
    console.log(JSON.stringify(rows[0]));
  }
  const j = await q(`select len(tags), size.h, paid from read_json('o.jsonl', format='newline_delimited') where id = 6`);
  console.log(JSON.stringify(j[0]));
})().catch((e) => { console.error(e.message); process.exit(1); });
JS
run env NODE_PATH="$peers" node check.js
[ "$rc" -eq 0 ] || fail "node exited $rc: $(cat "$tmp/err")"
expect_out 'lines 8 Zoë 0 10.5
["8","1236853.43","Zoë","7","7","1709028000999999","TIMESTAMP WITH TIME ZONE"]
["8","1236853.43","Zoë","7","7","1709028000999999","TIMESTAMP"]
["2",3,true]
'
finish
