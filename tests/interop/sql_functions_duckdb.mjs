// sql_functions_duckdb.mjs TEST_C DUCKDB_MODULE — the expected values of the
// scalar function tests come from DuckDB: read every CASE_("sql", "value",
// "TYPE") and ERR_("sql", ...) line of tests/unit/test_sql_functions.c, run
// the expression in DuckDB, and check that it gives the same text
// (CAST(x AS VARCHAR)) and type (typeof), or fails for ERR_ lines.
// Prints one line per mismatch and a summary; exits 1 on any mismatch.
import { readFileSync } from 'node:fs';

const [testFile, modPath] = process.argv.slice(2);
const { DuckDBInstance } = await import(modPath);
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const con = await db.connect();

// A C string literal's contents (the escapes the test file uses: \\ \" \n).
const cstr = (s) => s.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
const lit = /"((?:[^"\\]|\\.)*)"/g;
const strings = (line) => [...line.matchAll(lit)].map((m) => cstr(m[1]));

let checked = 0, failed = 0;
for (const line of readFileSync(testFile, 'utf8').split('\n')) {
  const t = line.trim();
  if (t.startsWith('CASE_(')) {
    const [sql, want, type] = strings(t);
    checked++;
    try {
      const r = (await con.runAndReadAll(`SELECT CAST((${sql}) AS VARCHAR) AS v, typeof(${sql}) AS t`)).getRowObjectsJS()[0];
      const got = r.v === null ? 'NULL' : r.v;
      if (got !== want || r.t !== type) {
        console.log(`FAIL ${sql}: DuckDB gives ${JSON.stringify(got)} :: ${r.t}, the test expects ${JSON.stringify(want)} :: ${type}`);
        failed++;
      }
    } catch (e) {
      console.log(`FAIL ${sql}: DuckDB error ${e.message.split('\n')[0]}`);
      failed++;
    }
  } else if (t.startsWith('ERR_(')) {
    const [sql] = strings(t);
    checked++;
    try {
      await con.runAndReadAll(`SELECT ${sql}`);
      console.log(`FAIL ${sql}: DuckDB accepts it, the test expects an error`);
      failed++;
    } catch (e) { /* as expected */ }
  }
}
console.log(`${checked} expressions checked against DuckDB, ${failed} mismatches`);
process.exit(failed || checked === 0 ? 1 : 0);
