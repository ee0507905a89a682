// engine.mjs ENGINE TASK_JSON — run one benchmark task in one peer engine,
// in its own process, and print one JSON line: {"rows": N, "op_s": seconds}.
// op_s times the operation itself (loading that the task marks as setup is
// excluded); the harness also measures the whole process from outside.
//
// Engines: duckdb (@duckdb/node-api), polars (nodejs-polars), arrow-rs
// (parquet-wasm, arrow-rs's Parquet compiled to WebAssembly, single-threaded),
// node-fs (plain Node file reads, a baseline for the store suite).
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const [engine, taskJson] = process.argv.slice(2);
const task = JSON.parse(taskJson);
const mods = task.modules;
const threads = String(task.threads);
const now = () => Number(process.hrtime.bigint()) / 1e9;
const out = (rows, op_s) => console.log(JSON.stringify({ rows: Number(rows), op_s }));

async function duckdb() {
  const { DuckDBInstance } = await import(join(mods, '@duckdb/node-api/lib/index.js'));
  const db = await DuckDBInstance.create(':memory:', { threads });
  const con = await db.connect();
  for (const s of task.setup || []) await con.run(s);
  // sql: one statement, or several timed together (the last one's result counts).
  const stmts = Array.isArray(task.sql) ? task.sql : [task.sql];
  const t0 = now();
  let r;
  for (const s of stmts) r = await con.runAndReadAll(s);
  const t1 = now();
  const rows = r.getRows();
  out(task.countFirst ? rows[0][0] : rows.length, t1 - t0);
}

async function polars() {
  const require = createRequire(join(mods, 'x.js'));
  const pl = require('nodejs-polars');
  const scan = (f) => pl.scanParquet(f);
  let t0, rows;
  switch (task.op) {
    case 'read_csv': {
      t0 = now();
      // readCSV treats a string as CSV text, not a path: scan the file instead
      rows = pl.scanCSV(task.path, { sep: '|', hasHeader: false }).collectSync().height;
      break;
    }
    case 'csv_to_parquet': {
      // streams the text into Parquet (sinkParquet runs when collected)
      t0 = now();
      pl.scanCSV(task.path, { sep: '|', hasHeader: false }).sinkParquet(task.outPath, { compression: 'snappy' }).collectSync();
      const t1 = now();
      rows = pl.scanParquet(task.outPath).select(pl.len()).collectSync().getColumn('len').get(0);
      out(rows, t1 - t0);
      return;
    }
    case 'read_parquet': {
      t0 = now();
      rows = pl.readParquet(task.path).height;
      break;
    }
    case 'read_json': {
      t0 = now();
      // readJSON with a path fails in this version of the binding
      rows = pl.scanJson(task.path).collectSync().height;
      break;
    }
    case 'write_parquet': {
      const df = pl.readParquet(task.path);
      t0 = now();
      df.writeParquet(task.outPath, { compression: task.compression || 'snappy' });
      rows = df.height;
      break;
    }
    case 'sql': {
      const frames = {};
      for (const [name, f] of Object.entries(task.tables)) frames[name] = scan(f);
      const ctx = pl.SQLContext(frames);
      t0 = now();
      // The native SqlContext.execute of this binding returns (not throws) the
      // Error of a query Polars cannot plan, and SQLContext.execute wraps it as
      // if it were a LazyFrame: raise Polars' own message instead of the
      // "collectSync is not a function" that collecting it would give.
      const lf = ctx.execute(task.sql.replace(/;\s*$/, ''));
      if (!lf || lf._ldf instanceof Error || typeof lf._ldf?.collectSync !== 'function') {
        if (!(lf?._ldf instanceof Error)) throw new Error('SQLContext.execute returned no LazyFrame');
        // keep the message, not the parser's debug dump of the expression after it
        throw new Error(String(lf._ldf.message).split('\n')[0].replace(/ \{ .*$/, ' { … }'));
      }
      // collect() returns a promise in this binding: collectSync() is the real run
      rows = lf.collectSync().height;
      break;
    }
    default:
      throw new Error(`polars: no op ${task.op}`);
  }
  out(rows, now() - t0);
}

async function arrowrs() {
  const pq = await import(join(mods, 'parquet-wasm/node/parquet_wasm.js'));
  let t0, rows;
  switch (task.op) {
    case 'read_parquet': {
      t0 = now();
      const t = pq.readParquet(readFileSync(task.path));
      rows = t.numBatches; // the wasm Table holds record batches; rows are not exposed
      break;
    }
    case 'write_parquet': {
      const table = pq.readParquet(readFileSync(task.path));
      t0 = now();
      const codec = { snappy: pq.Compression.SNAPPY, zstd: pq.Compression.ZSTD }[task.compression || 'snappy'];
      const props = new pq.WriterPropertiesBuilder().setCompression(codec).build();
      const bytes = pq.writeParquet(table, props);
      writeFileSync(task.outPath, bytes);
      rows = statSync(task.outPath).size > 0 ? task.expectRows : 0;
      break;
    }
    default:
      throw new Error(`arrow-rs: no op ${task.op}`);
  }
  out(rows, now() - t0);
}

async function nodefs() {
  const t0 = now();
  const b = readFileSync(task.path);
  out(b.length, now() - t0);
}

const run = { duckdb, polars, 'arrow-rs': arrowrs, 'node-fs': nodefs }[engine];
if (!run) {
  console.error(`engine.mjs: unknown engine ${engine}`);
  process.exit(2);
}
try {
  await run();
} catch (e) {
  console.error(`${engine}: ${String(e.message || e).split('\n')[0]}`);
  process.exit(1);
}
