// Times DuckDB (read_csv / read_json into a table) and Polars (readCSV /
// readJSON) on one file, with the thread count given, for bench/csv_json.sh.
//   node csv_json_peers.mjs FILE csv|json THREADS
import { createRequire } from 'node:module';

const require = createRequire(process.env.TARN_SOURCE_DIR + '/peers/node_modules/');
const [file, kind, threads] = process.argv.slice(2);
const { DuckDBInstance } = require('@duckdb/node-api');
const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await db.connect();
let t0 = performance.now();
await conn.run(`CREATE TABLE t AS SELECT * FROM ${kind === 'json' ? 'read_json' : 'read_csv'}('${file}')`);
const n = (await conn.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0];
console.log(`duckdb: ${n} rows, ${((performance.now() - t0) / 1000).toFixed(3)} s (${threads} threads)`);
try {
  process.env.POLARS_MAX_THREADS = String(threads);
  const pl = require('nodejs-polars');
  t0 = performance.now();
  const df = kind === 'json' ? pl.readJSON(file, { format: 'lines' }) : pl.readCSV(file);
  console.log(`polars: ${df.height} rows, ${((performance.now() - t0) / 1000).toFixed(3)} s`);
} catch (e) {
  console.log(`polars: failed: ${e.message.split('\n')[0]}`);
}
