// parquet_duckdb.mjs — compares tarn's reading of Parquet files with
// DuckDB's. Usage: node parquet_duckdb.mjs <jsonl dir> <parquet file>...
// For each file, <jsonl dir>/<basename>.jsonl holds tarn's rows as JSON
// lines (tests/parquet_render.h); DuckDB renders the same file with
// to_json() and the two are compared value by value. Prints one line per
// file (PASS/FAIL with the first difference) and exits 1 if any failed.
//
// A file given as FILE::col1,col2 is compared on those columns only, and
// FILE::-col1,col2 on all others (for files DuckDB reads only in part).
// DuckDB's GEOMETRY columns are taken as the WKB it gives back (ST_AsWKB)
// and UUID columns as their 16 bytes, the forms tarn reads them in.
//
// Normalizations, each for a documented difference of rendering only:
//  - numbers compare as numbers (DuckDB prints 1.0, tarn 1), but integers
//    of 16 digits or more, which a double cannot hold, compare as text;
//  - timestamps: DuckDB appends "+00" to UTC-adjusted ones and keeps
//    microseconds, so a trailing "+00" is dropped and fractions beyond 6
//    digits are truncated on both sides;
//  - years BC are written as DuckDB's "(BC)" form;
//  - DuckDB renders NaN/Infinity in JSON as strings "nan", "inf", "-inf".
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// TARN_NODE_MODULES overrides where the npm peers live (default: the
// checkout's peers/node_modules).
const peers = process.env.TARN_NODE_MODULES ||
  (process.env.TARN_SOURCE_DIR ? join(process.env.TARN_SOURCE_DIR, 'peers/node_modules') : join(process.cwd(), 'peers/node_modules'));
const { DuckDBInstance } = require(join(peers, '@duckdb/node-api'));

const tsRe = /^(-?\d{4,}-\d\d-\d\d[ T])?(\d\d:\d\d:\d\d)(\.\d+)?(\+00(:00)?)?$/;
function normStr(s) {
  // DuckDB writes years before 1 as "226414-01-07 (BC)"; tarn as the
  // astronomical year (-226413).
  s = s.replace(/^(\d+)-(\d\d)-(\d\d) \(BC\)/, (_, y, mo, d) => `${1 - Number(y)}-${mo}-${d}`);
  const m = tsRe.exec(s);
  if (!m) return s;
  let frac = (m[3] || '').slice(1, 7).replace(/0+$/, '');
  return (m[1] || '') + m[2] + (frac ? '.' + frac : '');
}

function norm(v) {
  if (typeof v === 'string') {
    const l = v.toLowerCase();
    if (l === 'nan' || l === '-nan') return 'nan';
    if (l === 'inf' || l === 'infinity') return 'inf';
    if (l === '-inf' || l === '-infinity') return '-inf';
    return normStr(v);
  }
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = norm(v[k]);
    return o;
  }
  return v;
}

function diff(a, b, path) {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (isNaN(a) && isNaN(b)) ? null : path;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b ? null : path;
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return path + ' (size ' + ka.length + ' vs ' + kb.length + ')';
  for (let i = 0; i < ka.length; i++) {
    const k = Array.isArray(a) ? i : ka[i];
    if (!Array.isArray(a) && ka[i] !== kb[i]) return path + ' (key ' + ka[i] + ' vs ' + kb[i] + ')';
    const d = diff(a[k], b[k], path + '.' + k);
    if (d) return d;
  }
  return null;
}

const [dir, ...files] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
let failed = 0;
// JSON text to a value, integers too long for a double kept exact (as "#digits").
const parse = (text) => JSON.parse(text.replace(/([:\[,])(-?\d{16,})(?=[,\]}])/g, '$1"#$2"'));

const ident = (c) => '"' + c.replace(/"/g, '""') + '"';
for (const arg of files) {
  const sep = arg.lastIndexOf('::');
  const f = sep > 0 ? arg.slice(0, sep) : arg;
  const spec = sep > 0 ? arg.slice(sep + 2) : '';
  const but = spec.startsWith('-') ? spec.slice(1).split(',') : [];
  let only = spec && !but.length ? spec.split(',') : null;
  const name = basename(f);
  let duck;
  try {
    const src = `read_parquet('${f.replace(/'/g, "''")}')`;
    const cols = (await con.runAndReadAll(`DESCRIBE SELECT * FROM ${src}`)).getRows()
      .filter((row) => (!only || only.includes(String(row[0]))) && !but.includes(String(row[0])))
      .map((row) => [String(row[0]), String(row[1])]);
    if (but.length) only = cols.map(([c]) => c);
    if (only) cols.sort((a, b) => only.indexOf(a[0]) - only.indexOf(b[0]));
    const list = cols.map(([c, type]) =>
      type.startsWith('GEOMETRY') ? `ST_AsWKB(${ident(c)})::BLOB AS ${ident(c)}`
        : type === 'UUID' ? `unhex(replace(${ident(c)}::VARCHAR, '-', '')) AS ${ident(c)}` : ident(c));
    // (the row's alias must not be a column's name: a column named t would win)
    const r = await con.runAndReadAll(`SELECT to_json(tarn_row__)::VARCHAR FROM (SELECT ${list.join(', ')} FROM ${src}) tarn_row__`);
    duck = r.getRows().map((row) => norm(parse(String(row[0]).replace(/([:\[,])(-?)(NaN|Infinity)(?=[,\]}])/g, '$1"$2$3"'))));
  } catch (e) {
    console.log(`FAIL ${name}: DuckDB cannot read it: ${String(e.message).split('\n')[0]}`);
    failed++;
    continue;
  }
  const pick = (o) => (only ? Object.fromEntries(only.map((k) => [k, o[k]])) : o);
  const ours = readFileSync(join(dir, name + '.jsonl'), 'utf8').split('\n').filter((l) => l.length).map((l) => norm(pick(parse(l))));
  let msg = null;
  if (ours.length !== duck.length) msg = `${ours.length} rows, DuckDB ${duck.length}`;
  for (let i = 0; !msg && i < ours.length; i++) {
    const d = diff(ours[i], duck[i], '$');
    if (d) msg = `row ${i} at ${d}: tarn ${JSON.stringify(ours[i]).slice(0, 300)} DuckDB ${JSON.stringify(duck[i]).slice(0, 300)}`;
  }
  if (msg) failed++;
  console.log(msg ? `FAIL ${name}: ${msg}` : `PASS ${name} (${ours.length} rows)`);
}
process.exit(failed ? 1 : 0);
