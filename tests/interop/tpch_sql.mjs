// tpch_sql.mjs PARQUET_DIR QUERY_DIR TARN OUT_DIR [QUERIES] — run the 22
// TPC-H queries with `tarn sql` and with DuckDB over the same Parquet files
// and compare the answers row by row, in the order of each query's ORDER BY.
//
// tarn runs `tarn sql -f qNN.sql` (views over the Parquet files, then the
// query) and writes its answer as Parquet (--output), so the values keep
// their types; DuckDB reads that file and runs the query itself (views over
// read_parquet, as bench/engine.mjs does). Values are rendered as in the
// sqllogictest corpus (tests/slt/check_duckdb.mjs); floating-point values
// compare with a relative tolerance of 1e-9, everything else (decimals with
// their scale, integers, strings, dates) exactly. Column names are compared
// too (a difference is noted, not failed). $TARN_SQL_EXTRA adds flags to
// every tarn run (--threads 1). Prints one line per query; exit
// 1 if any answer differs or a query fails.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [pqDir, queryDir, tarn, outDir, only] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const modPath = process.env.DUCKDB_MODULE || join(root, 'peers/node_modules/@duckdb/node-api/lib/index.js');
const { DuckDBInstance, DuckDBTypeId: T } = await import(modPath);

const TABLES = ['part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem', 'nation', 'region'];
const quote = (s) => `'${s.replace(/'/g, "''")}'`;

// ---- rendering: the rules of tests/slt/slt_render.c ------------------------------
function renderDecimal(v, scale) {
  const neg = v < 0n;
  let s = (neg ? -v : v).toString();
  while (s.length <= scale) s = '0' + s;
  if (scale > 0) s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
  return (neg ? '-' : '') + s;
}
function renderDate(days) {
  days = Number(days) + 719468;
  const era = Math.floor((days >= 0 ? days : days - 146096) / 146097);
  const doe = days - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
// A value as [text, number-or-null]: the number when it is floating point.
function cell(v, type) {
  if (v === null || v === undefined) return ['NULL', null];
  const id = type.typeId;
  if (id === T.FLOAT || id === T.DOUBLE) return [String(v), Number(v)];
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return [String(v), null];
  if (typeof v === 'string') return [v, null];
  switch (v.constructor?.name) {
    case 'DuckDBDecimalValue': return [renderDecimal(v.value, v.scale), null];
    case 'DuckDBDateValue': return [renderDate(v.days), null];
  }
  return [String(v), null];
}

async function answer(con, sql) {
  const r = await con.runAndReadAll(sql);
  const types = r.columnTypes();
  const rows = (await r.getRows()).map((row) => row.map((v, c) => cell(v, types[c])));
  return { names: r.columnNames(), types: types.map((t) => t.toString()), rows };
}

function sameCell([ta, na], [tb, nb]) {
  if (na !== null && nb !== null) {
    if (na === nb) return true;
    return Math.abs(na - nb) <= 1e-9 * Math.max(Math.abs(na), Math.abs(nb));
  }
  return ta === tb;
}

function compare(want, got, q) {
  if (want.names.length !== got.names.length)
    return `${got.names.length} columns, DuckDB ${want.names.length}`;
  // names of unaliased expressions are a matter of taste: noted, not failed
  for (let c = 0; c < want.names.length; c++)
    if (want.names[c] !== got.names[c]) console.log(`note Q${q}: column ${c + 1} is named "${got.names[c]}", DuckDB "${want.names[c]}"`);
  const n = Math.min(want.rows.length, got.rows.length);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < want.names.length; c++)
      if (!sameCell(want.rows[r][c], got.rows[r][c]))
        return `row ${r + 1}, ${want.names[c]}: tarn ${got.rows[r][c][0]} (${got.types[c]}), DuckDB ${want.rows[r][c][0]} (${want.types[c]})`;
  if (want.rows.length !== got.rows.length) return `${got.rows.length} rows, DuckDB ${want.rows.length}`;
  return null;
}

const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
const views = TABLES.map((t) => `CREATE VIEW ${t} AS SELECT * FROM ${quote(join(pqDir, t + '.parquet'))};`);
for (const v of views) await con.run(v.replace(/^CREATE VIEW (\w+) AS SELECT \* FROM (.*);$/, 'CREATE VIEW $1 AS SELECT * FROM read_parquet($2)'));

let failed = 0;
const qs = only ? only.split(',').map(Number) : Array.from({ length: 22 }, (_, i) => i + 1);
for (const q of qs) {
  const name = `q${String(q).padStart(2, '0')}`;
  const sql = readFileSync(join(queryDir, `${name}.sql`), 'utf8');
  const script = join(outDir, `${name}.sql`), result = join(outDir, `${name}.parquet`);
  writeFileSync(script, views.join('\n') + '\n' + sql);
  const t0 = process.hrtime.bigint();
  const extra = (process.env.TARN_SQL_EXTRA || '').split(' ').filter(Boolean); // --threads 1, --memory-limit 64MB
  // a query running 5 minutes at SF 0.01 is hung: killed and failed, the others still run
  const r = spawnSync(tarn, ['sql', '-f', script, '--output', result, ...extra],
    { encoding: 'utf8', timeout: 300000, killSignal: 'SIGKILL' });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  let problem;
  if (r.error?.code === 'ETIMEDOUT' || r.signal) {
    problem = `tarn did not finish within 300 s (killed)`;
  } else if (r.status !== 0) {
    problem = `tarn failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n')[0]}`;
  } else {
    try {
      const want = await answer(con, sql);
      const got = await answer(con, `SELECT * FROM read_parquet(${quote(result)})`);
      problem = compare(want, got, q);
      if (!problem) console.log(`ok   Q${q} (${want.rows.length} rows, tarn ${secs.toFixed(2)} s)`);
    } catch (e) {
      problem = `DuckDB: ${e.message.split('\n')[0]}`;
    }
  }
  if (problem) {
    failed++;
    console.log(`FAIL Q${q}: ${problem}`);
  }
}
console.log(`${qs.length - failed} of ${qs.length} queries match DuckDB`);
process.exit(failed ? 1 : 0);
