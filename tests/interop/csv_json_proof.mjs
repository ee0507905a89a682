// csv_json_proof.mjs — DuckDB's side of csv_json_proof.sh.
//
//   node csv_json_proof.mjs same FILE 'DUCKDB OPTIONS' [TARN FLAGS...]
//       tarn (`tarn schema`, `tarn cat --format jsonl` with the flags) and
//       DuckDB (read_csv / read_json with the options, e.g.
//       "ignore_errors = true") read FILE (a path or a glob) with the same
//       column names, the same types where both have the type, and the
//       same values; prints "same ..." or the differences and exits 1
//   node csv_json_proof.mjs rejects FILE 'DUCKDB OPTIONS'
//       exits 0 when DuckDB refuses to read FILE, printing its message
//
// Types: tarn infers decimal128(38, s) where DuckDB infers DOUBLE (plain
// decimal literals) — then the values are compared as numbers; every other
// type must match.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(process.env.TARN_SOURCE_DIR + '/peers/node_modules/');
const { DuckDBInstance } = require('@duckdb/node-api');
const tarn = process.env.TARN;

const typeMap = {
  BIGINT: 'int64', DOUBLE: 'double', VARCHAR: 'utf8', BOOLEAN: 'bool', DATE: 'date32',
  TIME: 'time64[us]', TIMESTAMP: 'timestamp[us]', 'TIMESTAMP WITH TIME ZONE': 'timestamp[us, tz=UTC]',
};
function tarnType(t) {
  if (typeMap[t]) return typeMap[t];
  const l = /^(.*)\[\]$/.exec(t);
  if (l) return `list<item: ${tarnType(l[1])}>`;
  return t;
}

// Canonical text of one value from either side.
function canon(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'bigint') return String(Number(v));
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return '[' + v.map(canon).join(',') + ']';
  if (typeof v === 'object') return '{' + Object.keys(v).map((k) => k + ':' + canon(v[k])).join(',') + '}';
  let s = String(v);
  if (/^-?\d{16,}$/.test(s)) return s; // integers a double cannot hold stay exact
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s)) return String(Number(s)); // DuckDB's JSON gives integers as text
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d+)?(Z|\+00(:00)?)?$/.exec(s);
  if (m) s = m[1] + 'T' + m[2] + (m[3] ? m[3].replace(/0+$/, '').replace(/\.$/, '') : '');
  return s;
}

const [mode, file, duckOpts, ...flags] = process.argv.slice(2);
const json = /\.(json|jsonl|ndjson)(\.gz|\.zst)?$/.test(file);
const sql = `SELECT * FROM ${json ? 'read_json' : 'read_csv'}('${file.replace(/'/g, "''")}'${duckOpts ? ', ' + duckOpts : ''})`;
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();

if (mode === 'rejects') {
  try {
    const r = await conn.runAndReadAll(sql);
    console.log(`DuckDB reads ${file} (${r.getRows().length} rows) where an error was expected`);
    process.exit(1);
  } catch (e) {
    console.log(`DuckDB rejects it too: ${String(e.message).split('\n')[0]}`);
    process.exit(0);
  }
}

const res = await conn.runAndReadAll(sql);
const names = res.columnNames();
const types = res.columnTypes().map((t) => t.toString());
const rows = res.getRowObjectsJson();
const schema = execFileSync(tarn, ['schema', file, ...flags], { encoding: 'utf8' }).trim().split('\n').filter((l) => l);
const tnames = schema.map((l) => l.slice(0, l.indexOf(': ')));
const ttypes = schema.map((l) => l.slice(l.indexOf(': ') + 2));
const out = execFileSync(tarn, ['cat', file, '--format', 'jsonl', ...flags], { encoding: 'utf8', maxBuffer: 1 << 28 });
// integers beyond 2^53 stay exact as text (JSON.parse would round them)
const trows = out.split('\n').filter((l) => l)
  .map((l) => JSON.parse(l.replace(/([:,\[])(-?\d{16,})(?=[,}\]])/g, '$1"$2"')));
const problems = [];
if (names.join() !== tnames.join()) problems.push(`names: duckdb ${names.join().slice(0, 200)} tarn ${tnames.join().slice(0, 200)}`);
types.forEach((t, i) => {
  if (t === 'DOUBLE' && /^decimal128\(38, \d+\)$/.test(ttypes[i])) return;
  if (tarnType(t) !== ttypes[i]) problems.push(`column ${names[i]}: duckdb ${t} tarn ${ttypes[i]}`);
});
if (rows.length !== trows.length) problems.push(`rows: duckdb ${rows.length} tarn ${trows.length}`);
for (let r = 0; r < Math.min(rows.length, trows.length) && problems.length < 5; r++)
  for (const n of names) {
    const a = canon(rows[r][n]), b = canon(trows[r][n]);
    if (a !== b) problems.push(`row ${r + 1} column ${n}: duckdb ${a.slice(0, 80)} tarn ${b.slice(0, 80)}`);
  }
const base = file.split('/').pop();
console.log(`${problems.length ? 'DIFF' : 'same'} ${base} (${rows.length} rows, ${names.length} columns)`);
for (const p of problems.slice(0, 5)) console.log('  ' + p);
process.exit(problems.length ? 1 : 0);
