// parquet_bloom_duckdb.mjs — DuckDB's side of parquet_bloom.sh.
//
//   node parquet_bloom_duckdb.mjs probe FILE COLUMN VALUE...
//       prints, per value, "VALUE excludes|maybe" for each row group, from
//       DuckDB's parquet_bloom_probe over tarn's bloom filters
//   node parquet_bloom_duckdb.mjs write FILE
//       writes a file whose dictionary columns carry DuckDB's bloom filters
//   node parquet_bloom_duckdb.mjs count FILE WHERE
//       prints DuckDB's count of the rows matching WHERE
import path from 'node:path';

const mods = path.join(process.env.TARN_SOURCE_DIR, 'peers/node_modules');
const { DuckDBInstance } = await import(path.join(mods, '@duckdb/node-api/lib/index.js'));
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const rows = async (sql) => (await c.runAndReadAll(sql)).getRowObjectsJS();
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

const [mode, file, ...rest] = process.argv.slice(2);
if (mode === 'probe') {
    const [column, ...values] = rest;
    for (const v of values) {
        const lit = /^-?[0-9]+$/.test(v) ? v : q(v);
        const r = await rows(`SELECT row_group_id, bloom_filter_excludes FROM parquet_bloom_probe(${q(file)}, ${q(column)}, ${lit}) ORDER BY 1`);
        console.log(`${v} ${r.map((x) => (x.bloom_filter_excludes ? 'excludes' : 'maybe')).join(' ')}`);
    }
} else if (mode === 'write') {
    await rows(`COPY (SELECT i AS id, 'v' || (i % 500) AS s FROM range(300000) t(i)) TO ${q(file)} (FORMAT parquet, ROW_GROUP_SIZE 100000)`);
} else if (mode === 'count') {
    const r = await rows(`SELECT count(*) AS n FROM read_parquet(${q(file)}) WHERE ${rest[0]}`);
    console.log(String(r[0].n));
} else {
    throw new Error(`unknown mode ${mode}`);
}
