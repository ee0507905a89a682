// check_duckdb.mjs [--rewrite] [--verbose] FILE.slt... — run sqllogictest
// files through DuckDB (the reference) with the rendering rules of
// tests/slt/slt_render.c, and report every record where DuckDB disagrees
// with the file: a statement that fails (or succeeds where an error is
// expected), a query whose result differs. Exit 1 on any mismatch.
//
// --rewrite writes DuckDB's results into the files' query records (after
// ----), in row order for nosort and sorted for rowsort/valuesort, and sets
// the column types of the header (I integers, R floats, T the rest —
// decimals compare as exact text); `query ?` is the placeholder to write. It is how the corpus is authored:
// write the SQL, rewrite, read the results, commit.
//
// DuckDB's error messages differ from tarn's, so for `statement error` only
// the failure itself is checked; records under `onlyif tarn` or
// `skipif duckdb` are not run.
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modPath = process.env.DUCKDB_MODULE ||
  join(here, '../../peers/node_modules/@duckdb/node-api/lib/index.js');
const { DuckDBInstance, DuckDBTypeId: T } = await import(modPath);

const args = process.argv.slice(2);
const rewrite = args.includes('--rewrite');
const verbose = args.includes('--verbose');
const files = args.filter((a) => !a.startsWith('--'));
if (!files.length) {
  console.error('usage: check_duckdb.mjs [--rewrite] [--verbose] FILE.slt...');
  process.exit(2);
}

// ---- rendering (mirrors slt_render.c) ----------------------------------------

function shortestDigits(x, isFloat) {
  let s;
  for (let p = 1; p <= 17; p++) {
    s = x.toExponential(p - 1);
    const back = Number(s);
    if (isFloat ? Math.fround(back) === x : back === x) break;
  }
  let [mant, exp] = s.split('e');
  let digits = mant.replace('.', '').replace('-', '');
  digits = digits.replace(/0+$/, '') || '0';
  return [digits, Number(exp)];
}

function renderReal(x, isFloat) {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  let sign = x < 0 || Object.is(x, -0) ? '-' : '';
  x = Math.abs(x);
  if (x === 0) return sign + '0.0';
  const [d, e] = shortestDigits(x, isFloat);
  if (e >= -4 && e < 16) {
    if (e >= 0) {
      let int = '';
      for (let i = 0; i <= e; i++) int += i < d.length ? d[i] : '0';
      const frac = d.length > e + 1 ? d.slice(e + 1) : '0';
      return sign + int + '.' + frac;
    }
    return sign + '0.' + '0'.repeat(-e - 1) + d;
  }
  return sign + d[0] + (d.length > 1 ? '.' + d.slice(1) : '') + 'e' + (e < 0 ? '-' : '+') + Math.abs(e);
}

function renderDecimal(v, scale) {
  const neg = v < 0n;
  let s = (neg ? -v : v).toString();
  while (s.length <= scale) s = '0' + s;
  if (scale > 0) s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
  return (neg ? '-' : '') + s;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

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
  return y < 0 ? `${pad(1 - y, 4)}-${pad(m)}-${pad(d)} (BC)` : `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

// t: a non-negative BigInt in units of 10^-digits seconds
function renderClock(t, digits) {
  const perS = 10n ** BigInt(digits);
  const s = t / perS, frac = t % perS;
  let out = `${pad(s / 3600n)}:${pad((s / 60n) % 60n)}:${pad(s % 60n)}`;
  if (frac) out += '.' + frac.toString().padStart(digits, '0').replace(/0+$/, '');
  return out;
}

function renderTimestamp(v, digits, zone) {
  const perDay = 86400n * 10n ** BigInt(digits);
  let days = v / perDay, rest = v % perDay;
  if (rest < 0n) { rest += perDay; days -= 1n; }
  return renderDate(days) + ' ' + renderClock(rest, digits) + (zone ? '+00' : '');
}

function renderInterval(months, days, micros) {
  const parts = [];
  const plural = (n, u) => parts.push(`${n} ${u}${n === 1 || n === -1 ? '' : 's'}`);
  const years = Math.trunc(months / 12), mon = months % 12;
  if (years) plural(years, 'year');
  if (mon) plural(mon, 'month');
  if (days) plural(days, 'day');
  if (micros !== 0n || !parts.length)
    parts.push((micros < 0n ? '-' : '') + renderClock(micros < 0n ? -micros : micros, 6));
  return parts.join(' ');
}

function renderBlob(bytes, top) {
  if (!bytes.length && top) return '(empty)';
  let s = '';
  for (const b of bytes) s += b >= 32 && b < 127 && b !== 92 ? String.fromCharCode(b) : '\\x' + b.toString(16).toUpperCase().padStart(2, '0');
  return s;
}

function render(v, type, top) {
  if (v === null || v === undefined) return 'NULL';
  const id = type?.typeId;
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'bigint': return v.toString();
    case 'number':
      if (id === T.FLOAT) return renderReal(v, true);
      if (id === T.DOUBLE) return renderReal(v, false);
      return Number.isInteger(v) ? String(v) : renderReal(v, false);
    case 'string': return v === '' && top ? '(empty)' : v;
  }
  const c = v.constructor?.name;
  switch (c) {
    case 'DuckDBDecimalValue': return renderDecimal(v.value, v.scale);
    case 'DuckDBDateValue': return renderDate(v.days);
    case 'DuckDBTimeValue': return renderClock(v.micros, 6);
    case 'DuckDBTimestampValue': return renderTimestamp(v.micros, 6, false);
    case 'DuckDBTimestampTZValue': return renderTimestamp(v.micros, 6, true);
    case 'DuckDBTimestampSecondsValue': return renderTimestamp(v.seconds, 0, false);
    case 'DuckDBTimestampMillisecondsValue': return renderTimestamp(v.millis, 3, false);
    case 'DuckDBTimestampNanosecondsValue': return renderTimestamp(v.nanos, 9, false);
    case 'DuckDBIntervalValue': return renderInterval(v.months, v.days, v.micros);
    case 'DuckDBBlobValue': return renderBlob(v.bytes, top);
    case 'DuckDBListValue':
    case 'DuckDBArrayValue':
      return '[' + v.items.map((x) => render(x, type?.valueType, false)).join(', ') + ']';
    case 'DuckDBStructValue': {
      const types = {};
      for (const [i, n] of (type?.entryNames || []).entries()) types[n] = type.entryTypes[i];
      return '{' + Object.entries(v.entries).map(([k, x]) => `'${k}': ${render(x, types[k], false)}`).join(', ') + '}';
    }
    case 'DuckDBMapValue':
      return '{' + v.entries.map((e) => `${render(e.key, type?.keyType, false)}=${render(e.value, type?.valueType, false)}`).join(', ') + '}';
  }
  return String(v);
}

function typeLetter(t) {
  switch (t.typeId) {
    case T.TINYINT: case T.SMALLINT: case T.INTEGER: case T.BIGINT: case T.UTINYINT: case T.USMALLINT:
    case T.UINTEGER: case T.UBIGINT: case T.HUGEINT: case T.UHUGEINT:
      return 'I';
    case T.FLOAT: case T.DOUBLE:
      return 'R';
    default:
      return 'T';
  }
}

// ---- the file format (mirrors slt_runner.c) ------------------------------------

function parse(text) {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const recs = [];
  let i = 0, skip = false;
  const isBlank = (s) => s.trim() === '';
  while (i < lines.length) {
    const l = lines[i].replace(/\r$/, '');
    if (isBlank(l) || l.startsWith('#')) { i++; continue; }
    const line = ++i;
    const w = l.trim().split(/\s+/);
    if (w[0] === 'skipif' || w[0] === 'onlyif') {
      const duck = w[1] === 'duckdb';
      if (w[0] === 'skipif' ? duck : !duck) skip = true;
      continue;
    }
    if (w[0] === 'hash-threshold') continue;
    if (w[0] === 'halt') { if (!skip) break; skip = false; continue; }
    if (w[0] !== 'statement' && w[0] !== 'query') {
      recs.push({ line, kind: 'unknown', w, skip });
      while (i < lines.length && !isBlank(lines[i])) i++;
      skip = false;
      continue;
    }
    const sql = [];
    let dashes = false;
    while (i < lines.length && !isBlank(lines[i])) {
      const s = lines[i++].replace(/\r$/, '');
      if (s === '----') { dashes = true; break; }
      sql.push(s);
    }
    const resultStart = i;
    const block = [];
    if (dashes) while (i < lines.length && !isBlank(lines[i])) block.push(lines[i++].replace(/\r$/, ''));
    recs.push({ line, kind: w[0], w, header: l, sql: sql.join('\n'), dashes, block, resultStart, resultEnd: i, skip });
    skip = false;
  }
  return { lines, recs };
}

function sortTable(rows, mode) {
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  if (mode === 'rowsort') rows.sort((a, b) => { for (let c = 0; c < a.length; c++) { const d = cmp(a[c], b[c]); if (d) return d; } return 0; });
  if (mode === 'valuesort') {
    const n = rows.length ? rows[0].length : 0;
    const vals = rows.flat().sort(cmp);
    rows.length = 0;
    for (let k = 0; k < vals.length; k += n) rows.push(vals.slice(k, k + n));
  }
  return rows;
}

function parseExpected(block, ncols) {
  const perRow = block.every((l) => l.split('\t').length === ncols);
  if (perRow) return block.map((l) => l.split('\t'));
  const rows = [];
  for (let k = 0; k < block.length; k += ncols) rows.push(block.slice(k, k + ncols));
  return rows;
}

function sameValue(want, got, type) {
  if (want === got) return true;
  if (type !== 'R') return false;
  const a = Number(want), b = Number(got);
  if (Number.isNaN(a) || Number.isNaN(b) || want === '' || got === '') return false;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-12;
}

const md5 = (rows) => {
  const h = createHash('md5');
  for (const r of rows) for (const v of r) h.update(v + '\n');
  return h.digest('hex');
};

// ---- running -------------------------------------------------------------------

let failures = 0, passed = 0, skipped = 0;

async function runFile(path) {
  const text = readFileSync(path, 'utf8');
  const { lines, recs } = parse(text);
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  const edits = [];
  const fail = (r, what, detail = '') => {
    failures++;
    console.log(`FAIL ${path}:${r.line}: ${what}`);
    if (r.sql) console.log('  sql: ' + r.sql.replace(/\n/g, '\n       '));
    if (detail) console.log(detail);
  };
  for (const r of recs) {
    if (r.skip) { skipped++; continue; }
    if (r.kind === 'unknown') { fail(r, `unknown record '${r.w[0]}'`); continue; }
    if (r.kind === 'statement') {
      const wantError = r.w[1] === 'error';
      let err = null;
      try { await con.run(r.sql); } catch (e) { err = e; }
      if (wantError && !err) fail(r, 'DuckDB runs the statement, an error is expected');
      else if (!wantError && err) fail(r, 'statement fails in DuckDB', '  error: ' + err.message.split('\n')[0]);
      else { passed++; if (verbose) console.log(`ok   ${path}:${r.line}${err ? ' (' + err.message.split('\n')[0] + ')' : ''}`); }
      continue;
    }
    // query
    let types = r.w[1] || '';
    const mode = r.w[2] || 'nosort';
    let result;
    try { result = await con.runAndReadAll(r.sql); } catch (e) {
      fail(r, 'query fails in DuckDB', '  error: ' + e.message.split('\n')[0]);
      continue;
    }
    const ctypes = result.columnTypes();
    if (types === '?' || rewrite) types = ctypes.map(typeLetter).join('');
    const rows = (await result.getRows()).map((row) => row.map((v, c) => render(v, ctypes[c], true)));
    sortTable(rows, mode);
    if (rewrite) {
      const header = ['query', types, ...r.w.slice(2)].join(' ');
      edits.push({ r, header, block: rows.map((x) => x.join('\t')) });
      passed++;
      continue;
    }
    if (ctypes.length !== types.length) { fail(r, `DuckDB returns ${ctypes.length} columns, the record declares ${types.length} (${types})`); continue; }
    const hash = r.block.length === 1 && /^(\d+) values hashing to ([0-9a-f]{32})$/.exec(r.block[0]);
    let ok;
    if (hash) ok = Number(hash[1]) === rows.length * ctypes.length && hash[2] === md5(rows);
    else {
      const want = sortTable(parseExpected(r.block, types.length), mode);
      ok = want.length === rows.length && want.every((w, i) => w.length === rows[i].length && w.every((v, c) => sameValue(v, rows[i][c], types[c])));
      if (!ok) {
        fail(r, `wrong result (${want.length} rows expected, DuckDB returns ${rows.length})`,
          '  expected:\n' + want.slice(0, 30).map((x) => '    ' + x.join('\t')).join('\n') +
          '\n  DuckDB:\n' + rows.slice(0, 30).map((x) => '    ' + x.join('\t')).join('\n'));
        continue;
      }
    }
    if (!ok) { fail(r, 'hash differs'); continue; }
    passed++;
    if (verbose) console.log(`ok   ${path}:${r.line}`);
  }
  con.closeSync?.();
  if (rewrite && edits.length) {
    // apply from the last record backwards so that line numbers stay valid
    for (const e of edits.reverse()) {
      const { r } = e;
      const start = r.line - 1;
      const sqlLines = r.sql.split('\n').length;
      const out = [e.header, ...r.sql.split('\n'), '----', ...e.block];
      const end = r.dashes ? r.resultEnd : start + 1 + sqlLines;
      lines.splice(start, end - start, ...out);
    }
    writeFileSync(path, lines.join('\n') + '\n');
  }
}

for (const f of files) {
  const before = failures;
  await runFile(f);
  console.log(`${f}: ${failures - before ? 'FAILED ' + (failures - before) : 'ok'}`);
}
console.log(`total: ${passed} passed, ${failures} failed, ${skipped} skipped (${files.length} files)`);
process.exit(failures ? 1 : 0);
