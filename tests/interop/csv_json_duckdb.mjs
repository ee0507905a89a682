// Reads each file given on the command line with DuckDB (read_csv /
// read_json, auto-detection) and with tarn (`tarn schema`, `tarn cat
// --format jsonl`), and compares column names, column types (CSV; scalar JSON columns) and every
// value (numbers compared as numbers). Prints one line per file; exits 1 on the first disagreement.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(process.env.TARN_SOURCE_DIR + '/peers/node_modules/');
const { DuckDBInstance } = require('@duckdb/node-api');
const tarn = process.env.TARN;

const typeMap = {
  BIGINT: 'int64', DOUBLE: 'double', VARCHAR: 'utf8', BOOLEAN: 'bool', DATE: 'date32',
  TIME: 'time64[us]', TIMESTAMP: 'timestamp[us]', 'TIMESTAMP WITH TIME ZONE': 'timestamp[us, tz=UTC]',
};

// Canonical text of one value from either side.
function canon(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'bigint') return String(Number(v));
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (typeof v === 'object') return '{' + Object.keys(v).map((k) => k + ':' + canon(v[k])).join(',') + '}';
  let s = String(v);
  // timestamps: "2024-01-01 10:00:00.5+00" (DuckDB) and "2024-01-01T10:00:00.500Z" (tarn)
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|\+00(:00)?)?$/.exec(s);
  if (m) s = m[1] + 'T' + m[2] + (m[3] ? m[3].replace(/0+$/, '').replace(/\.$/, '') : '');
  const t = /^(\d\d:\d\d:\d\d)(\.\d+)?$/.exec(s);
  if (t) s = t[1] + (t[2] ? t[2].replace(/0+$/, '').replace(/\.$/, '') : '');
  return s;
}

const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
let bad = 0;
for (const file of process.argv.slice(2)) {
  const json = /\.(json|jsonl|ndjson)(\.gz|\.zst)?$/.test(file);
  const fn = json ? 'read_json' : 'read_csv';
  const res = await conn.runAndReadAll(`SELECT * FROM ${fn}('${file}')`);
  const names = res.columnNames();
  const types = res.columnTypes().map((t) => t.toString());
  const rows = res.getRowObjectsJson();
  const schema = execFileSync(tarn, ['schema', file], { encoding: 'utf8' }).trim().split('\n');
  const tnames = schema.map((l) => l.slice(0, l.indexOf(': ')));
  const ttypes = schema.map((l) => l.slice(l.indexOf(': ') + 2));
  const out = execFileSync(tarn, ['cat', file, '--format', 'jsonl'], { encoding: 'utf8' });
  // integers beyond 2^53 stay exact as text (JSON.parse would round them)
  const trows = out.split('\n').filter((l) => l)
    .map((l) => JSON.parse(l.replace(/([:,\[])(-?\d{16,})(?=[,}\]])/g, '$1"$2"')));
  const problems = [];
  if (names.join() !== tnames.join()) problems.push(`names: duckdb ${names} tarn ${tnames}`);
  if (json)
    // scalar JSON columns: the same types by default (numbers with a
    // fraction are DOUBLE in both; decimal_inference is off)
    types.forEach((t, i) => {
      if (typeMap[t] && typeMap[t] !== ttypes[i]) problems.push(`column ${names[i]}: duckdb ${t} tarn ${ttypes[i]}`);
    });
  else
    types.forEach((t, i) => {
      // tarn infers decimal128(38, s) where DuckDB infers DOUBLE (plain
      // decimal literals); the values are then compared as numbers below
      if (t === 'DOUBLE' && /^decimal128\(38, \d+\)$/.test(ttypes[i])) return;
      if ((typeMap[t] ?? t) !== ttypes[i]) problems.push(`column ${names[i]}: duckdb ${t} tarn ${ttypes[i]}`);
    });
  if (rows.length !== trows.length) problems.push(`rows: duckdb ${rows.length} tarn ${trows.length}`);
  for (let r = 0; r < Math.min(rows.length, trows.length) && problems.length < 5; r++)
    for (const n of names) {
      const a = canon(rows[r][n]), b = canon(trows[r][n]);
      if (a !== b) problems.push(`row ${r + 1} column ${n}: duckdb ${a} tarn ${b}`);
    }
  console.log(`${problems.length ? 'DIFF' : 'same'} ${file.split('/').pop()} (${rows.length} rows, ${names.length} columns)`);
  for (const p of problems.slice(0, 5)) console.log('  ' + p);
  if (problems.length) bad++;
}
process.exit(bad ? 1 : 0);
