// parquet_types_duckdb.mjs — DuckDB's side of parquet_types.sh.
//
//   node parquet_types_duckdb.mjs write FILE     a file of times, timestamps and dates (DuckDB's writer)
//   node parquet_types_duckdb.mjs describe FILE  "column TYPE" per line, as DuckDB reads FILE
//   node parquet_types_duckdb.mjs differ A B     rows of A not in B plus rows of B not in A
import path from 'node:path';

const mods = path.join(process.env.TARN_SOURCE_DIR, 'peers/node_modules');
const { DuckDBInstance } = await import(path.join(mods, '@duckdb/node-api/lib/index.js'));
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const rows = async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJS();
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

const [mode, a, b] = process.argv.slice(2);
if (mode === 'write') {
    await rows(`COPY (SELECT i, TIME '00:00:00' + INTERVAL (i * 7919) SECOND AS t,
                             TIMESTAMP '2020-01-01' + INTERVAL (i * 3607) SECOND AS ts,
                             DATE '2000-01-01' + i::INTEGER AS d
                      FROM range(1000) r(i)) TO ${q(a)} (FORMAT parquet)`);
} else if (mode === 'describe') {
    for (const r of await rows(`DESCRIBE SELECT * FROM read_parquet(${q(a)})`)) console.log(`${r.column_name} ${r.column_type}`);
} else if (mode === 'differ') {
    const r = await rows(`SELECT (SELECT count(*) FROM (SELECT * FROM read_parquet(${q(a)}) EXCEPT ALL SELECT * FROM read_parquet(${q(b)})))
                               + (SELECT count(*) FROM (SELECT * FROM read_parquet(${q(b)}) EXCEPT ALL SELECT * FROM read_parquet(${q(a)}))) AS n`);
    console.log(String(r[0].n));
} else {
    throw new Error(`unknown mode ${mode}`);
}
