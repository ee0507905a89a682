// harness.mjs — run one benchmark suite for tarn and its peers on the same
// data and thread count, and write a Markdown table to bench/results/.
// Entry point: bench/run SUITE [--sf N] [--threads N] [--reps N] [--memory-limit SIZE] [...];
// see docs/bench.md. Each measurement is its own process; engines alternate
// within every repetition, and repetition 0 is a discarded warm-up.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const SUITES = ['gen', 'tpch', 'parquet-scan', 'parquet-write', 'csv', 'json', 'store'];
const TABLES = ['part', 'supplier', 'partsupp', 'customer', 'orders', 'lineitem', 'nation', 'region'];

function usage(msg) {
  if (msg) console.error(`bench/run: ${msg}`);
  console.error(`usage: bench/run SUITE [--sf N] [--threads N] [--reps N] [--queries 1,6,...]
       [--memory-limit SIZE] [--data DIR] [--out DIR] [--build DIR] [--tarn PATH]
suites: ${SUITES.join(', ')}`);
  process.exit(2);
}

// --- options ---------------------------------------------------------------
const argv = process.argv.slice(2);
if (!argv.length || argv[0] === '--help' || argv[0] === '-h') usage();
const opt = {
  suite: argv[0], sf: 1, threads: cpus().length, reps: 3, queries: null, 'memory-limit': null,
  data: join(benchDir, 'data'), out: join(benchDir, 'results'),
  build: process.env.TARN_BUILD_DIR || join(root, 'build'), tarn: process.env.TARN || null,
};
if (!SUITES.includes(opt.suite)) usage(`unknown suite "${opt.suite}"`);
for (let i = 1; i < argv.length; i += 2) {
  const k = argv[i].replace(/^--/, ''), v = argv[i + 1];
  if (v === undefined || !(k in opt) || k === 'suite') usage(`bad option ${argv[i]}`);
  opt[k] = ['sf', 'threads', 'reps'].includes(k) ? Number(v) : v;
}
if (!(opt.sf > 0) || !(opt.threads >= 1) || !(opt.reps >= 1)) usage('--sf, --threads and --reps must be positive');
opt.tarn = opt.tarn || join(opt.build, 'tarn');
const mods = process.env.TARN_PEERS || join(root, 'peers', 'node_modules');
const dataDir = join(resolve(opt.data), `sf${opt.sf}`);
const log = (m) => process.stderr.write(`bench: ${m}\n`);

// --- what tarn can do in this build -------------------------------------------
const runs = (cmd, args) => existsSync(cmd) && spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const tarnCli = runs(opt.tarn, ['--version']);
const tarnGen = tarnCli && runs(opt.tarn, ['gen', '--help']);
const tarnStore = tarnCli && runs(opt.tarn, ['store', '--help']);
const tarnSql = tarnCli && runs(opt.tarn, ['sql', '--help']);
const testDriver = join(opt.build, 'test_tpch');
// tarn's side of the file suites: bench/bench_io.c (read or write through the public API)
const benchIo = existsSync(join(opt.build, 'bench_io')) ? join(opt.build, 'bench_io') : null;
const tarnIo = (args, what) => (benchIo ? { cmd: [benchIo, ...args] } : NOT_YET(`${what} (build bench_io)`));
function genCommand(dir, format = 'tbl') {
  if (tarnGen) return [opt.tarn, 'gen', 'tpch', '--sf', String(opt.sf), '--format', format, '--out', dir];
  if (existsSync(testDriver) && format === 'tbl') return [testDriver, 'write', dir, String(opt.sf)];
  return null;
}

// --- which peers load on this machine -----------------------------------------
function polarsProblem() {
  try {
    createRequire(join(mods, 'x.js'))('nodejs-polars');
    return null;
  } catch (e) {
    const m = /Cannot find module '([^']+)'/.exec(e.message);
    return m ? `unavailable: its native binding ${m[1]} is not installed in peers/node_modules` : `unavailable: ${e.message.split('\n')[0]}`;
  }
}
const polarsDown = polarsProblem();
const polars = (task) => (polarsDown ? { unavailable: polarsDown } : node('polars', task));

// --- data ---------------------------------------------------------------------
function prepareTbl() {
  if (existsSync(join(dataDir, '.complete'))) return;
  const cmd = genCommand(join(dataDir, 'tbl'));
  if (!cmd) throw new Error(`no TPC-H generator: neither "${opt.tarn} gen" nor ${testDriver} exists (build tarn first)`);
  log(`generating TPC-H sf ${opt.sf} into ${dataDir}`);
  mkdirSync(dataDir, { recursive: true });
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env: { ...process.env, TARN_THREADS: String(opt.threads) } });
  if (r.status !== 0) throw new Error(`generator failed: ${cmd.join(' ')}`);
  writeFileSync(join(dataDir, '.complete'), '');
}
const tbl = (t) => join(dataDir, 'tbl', `${t}.tbl`);
const pqt = (t) => join(dataDir, 'parquet', `${t}.parquet`);

const COLS = {
  part: 'p_partkey INTEGER, p_name VARCHAR, p_mfgr VARCHAR, p_brand VARCHAR, p_type VARCHAR, p_size INTEGER, p_container VARCHAR, p_retailprice DECIMAL(15,2), p_comment VARCHAR',
  supplier: 's_suppkey INTEGER, s_name VARCHAR, s_address VARCHAR, s_nationkey INTEGER, s_phone VARCHAR, s_acctbal DECIMAL(15,2), s_comment VARCHAR',
  partsupp: 'ps_partkey INTEGER, ps_suppkey INTEGER, ps_availqty INTEGER, ps_supplycost DECIMAL(15,2), ps_comment VARCHAR',
  customer: 'c_custkey INTEGER, c_name VARCHAR, c_address VARCHAR, c_nationkey INTEGER, c_phone VARCHAR, c_acctbal DECIMAL(15,2), c_mktsegment VARCHAR, c_comment VARCHAR',
  orders: 'o_orderkey BIGINT, o_custkey INTEGER, o_orderstatus VARCHAR, o_totalprice DECIMAL(15,2), o_orderdate DATE, o_orderpriority VARCHAR, o_clerk VARCHAR, o_shippriority INTEGER, o_comment VARCHAR',
  lineitem: 'l_orderkey BIGINT, l_partkey INTEGER, l_suppkey INTEGER, l_linenumber INTEGER, l_quantity DECIMAL(15,2), l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2), l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE, l_shipinstruct VARCHAR, l_shipmode VARCHAR, l_comment VARCHAR',
  nation: 'n_nationkey INTEGER, n_name VARCHAR, n_regionkey INTEGER, n_comment VARCHAR',
  region: 'r_regionkey INTEGER, r_name VARCHAR, r_comment VARCHAR',
};
const csvColumns = (t) => '{' + COLS[t].split(', ').map((c) => {
  const [n, ...ty] = c.split(' ');
  return `'${n}': '${ty.join(' ')}'`;
}).join(', ') + '}';
const readTbl = (t) => `read_csv('${tbl(t)}', delim='|', header=false, quote='', escape='', columns=${csvColumns(t)})`;

// Derived copies made once by DuckDB (Parquet, JSON Lines): inputs for the
// suites whose tarn side does not exist yet.
async function prepareDerived(kinds) {
  const todo = kinds.filter((k) => !existsSync(join(dataDir, `.${k}`)));
  if (!todo.length) return;
  const { DuckDBInstance } = await import(join(mods, '@duckdb/node-api/lib/index.js'));
  const db = await DuckDBInstance.create(':memory:', { threads: String(opt.threads) });
  const con = await db.connect();
  for (const k of todo) {
    log(`preparing ${k} copies`);
    if (k === 'parquet') {
      mkdirSync(join(dataDir, 'parquet'), { recursive: true });
      for (const t of TABLES) await con.run(`COPY (SELECT * FROM ${readTbl(t)}) TO '${pqt(t)}' (FORMAT parquet, COMPRESSION snappy)`);
    } else if (k === 'jsonl') {
      await con.run(`COPY (SELECT * FROM ${readTbl('lineitem')}) TO '${join(dataDir, 'lineitem.jsonl')}' (FORMAT json)`);
    } else if (k === 'jsonl-orders') {
      await con.run(`COPY (SELECT * FROM ${readTbl('orders')}) TO '${join(dataDir, 'orders.jsonl')}' (FORMAT json)`);
    }
    writeFileSync(join(dataDir, `.${k}`), '');
  }
}

// --- suites: tasks, and per engine either a job or why it cannot run -----------
const NOT_YET = (what) => ({ unavailable: `not yet available: needs ${what}` });
// Lines of a file, read in blocks (the file may be larger than a JS string).
function lineitemRows() {
  const fd = openSync(tbl('lineitem'), 'r'), buf = Buffer.alloc(1 << 24);
  let n = 0, k;
  while ((k = readSync(fd, buf, 0, buf.length, null)) > 0)
    for (let i = 0; i < k; i++) n += buf[i] === 10;
  closeSync(fd);
  return n;
}

const size = (f) => (existsSync(f) ? statSync(f).size : null);

function node(engine, task) {
  return { cmd: [process.execPath, join(benchDir, 'engine.mjs'), engine, JSON.stringify({ ...task, modules: mods, threads: opt.threads })] };
}

// Reading "all columns" means materializing them, as the DataFrame and Arrow
// readers do; a bare count(*) would let DuckDB skip the column data.
const materialize = (source) => [`CREATE TABLE t AS SELECT * FROM ${source}`, 'SELECT count(*) FROM t'];

function suiteTasks() {
  const tmpOut = join(dataDir, 'out');
  switch (opt.suite) {
    case 'gen': {
      const dir = join(tmpOut, 'gen');
      const noDbgen = { unavailable: 'CALL dbgen needs the tpch extension, which is not installed and cannot be downloaded offline' };
      return [['tbl', '.tbl text'], ['ipc', 'Arrow IPC']].map(([format, what]) => {
        const cmd = genCommand(dir, format);
        return {
          id: `TPC-H sf ${opt.sf}, all tables, ${what}`, needs: [], before: () => rmSync(dir, { recursive: true, force: true }),
          engines: {
            tarn: cmd ? { cmd } : NOT_YET(format === 'tbl' ? 'the generator (build tarn)' : 'the tarn CLI (tarn gen)'),
            duckdb: noDbgen,
          },
        };
      });
    }
    case 'tpch': {
      const qs = opt.queries ? opt.queries.split(',').map(Number) : Array.from({ length: 22 }, (_, i) => i + 1);
      const tables = Object.fromEntries(TABLES.map((t) => [t, pqt(t)]));
      const views = TABLES.map((t) => `CREATE VIEW ${t} AS SELECT * FROM read_parquet('${pqt(t)}')`);
      // --memory-limit: the budget of tarn and DuckDB (a spilling run); Polars has none
      const limit = opt['memory-limit'];
      const duckSetup = limit ? [`SET memory_limit = '${limit}'`, ...views] : views;
      // tarn: `tarn sql -f` of a script holding the same views and the query
      const scripts = join(dataDir, 'tpch-sql');
      mkdirSync(scripts, { recursive: true });
      const tarnViews = TABLES.map((t) => `CREATE VIEW ${t} AS SELECT * FROM '${pqt(t)}';`).join('\n');
      // Polars' SQL reads an interval only as one string ('90 days'); the
      // standard INTERVAL '90' DAY is the same interval spelled differently.
      // This is the only per-engine change to the query text (docs/bench.md).
      const polarsSql = (q) => q.replace(/\binterval\s+'(\d+)'\s+(day|month|year)s?\b/gi,
        (m, n, unit) => `interval '${n} ${unit.toLowerCase()}s'`);
      return qs.map((q) => {
        const name = `q${String(q).padStart(2, '0')}`;
        const sql = readFileSync(join(benchDir, 'queries', 'tpch', `${name}.sql`), 'utf8');
        const script = join(scripts, `${name}.sql`);
        writeFileSync(script, `${tarnViews}\n${sql}`);
        const tarnCmd = [opt.tarn, 'sql', '-f', script, '--format', 'csv', '--threads', String(opt.threads),
          ...(limit ? ['--memory-limit', limit] : [])];
        return {
          id: `Q${q}`, needs: ['parquet'], sameRows: 'duckdb',
          engines: {
            tarn: tarnSql ? { cmd: tarnCmd, csvRows: true } : NOT_YET('the SQL engine (tarn sql)'),
            duckdb: node('duckdb', { setup: duckSetup, sql }),
            polars: polars({ op: 'sql', tables, sql: polarsSql(sql) }),
          },
        };
      });
    }
    case 'parquet-scan': {
      // A projected, filtered scan: 4 of 16 columns, 2 comparisons ANDed
      // (about 0.3 % of the rows match); each engine pushes down what it can.
      const cols = ['l_orderkey', 'l_extendedprice', 'l_discount', 'l_shipdate'];
      const where = "l_shipdate >= '1998-01-01' AND l_quantity < 5";
      const filtered = (src) => `SELECT ${cols.join(', ')} FROM ${src} WHERE l_shipdate >= DATE '1998-01-01' AND l_quantity < 5`;
      return [{
        id: 'read lineitem.parquet (all columns)', needs: ['parquet'],
        engines: {
          tarn: tarnIo(['read', pqt('lineitem')], 'the Parquet reader'),
          duckdb: node('duckdb', { sql: materialize(`read_parquet('${pqt('lineitem')}')`), countFirst: true }),
          polars: polars({ op: 'read_parquet', path: pqt('lineitem') }),
          'arrow-rs': node('arrow-rs', { op: 'read_parquet', path: pqt('lineitem') }),
        },
      }, {
        id: `lineitem.parquet: ${cols.length} columns where ${where}`, needs: ['parquet'],
        engines: {
          tarn: tarnIo(['read', pqt('lineitem'), `columns=${cols.join(',')}`, `where=${where}`], 'the Parquet reader'),
          duckdb: node('duckdb', { sql: materialize(`(${filtered(`read_parquet('${pqt('lineitem')}')`)})`), countFirst: true }),
          polars: polars({ op: 'sql', tables: { lineitem: pqt('lineitem') }, sql: filtered('lineitem') }),
          'arrow-rs': { unavailable: 'parquet-wasm has no row filter (it reads whole row groups of the chosen columns)' },
        },
      }];
    }
    case 'parquet-write': {
      const o = (e, c) => join(tmpOut, `lineitem-${e}-${c}.parquet`);
      const out = (job, f) => (job.unavailable ? job : { ...job, outFile: f });
      // Every engine is timed on the write alone, from data already in its
      // memory: tarn's bench_io load-write reads the file into Arrow batches
      // before its clock starts, as DuckDB (CREATE TABLE, then COPY) and the
      // DataFrame libraries (read, then write) are set up. "process s" still
      // shows each whole process, loading included.
      return ['snappy', 'zstd'].map((c) => ({
        id: `write lineitem as Parquet (${c})`, needs: ['parquet'],
        before: () => mkdirSync(tmpOut, { recursive: true }),
        timed: {
          tarn: 'bench_io load-write: tarn_write of the Arrow batches of lineitem.parquet, read into memory before the clock starts',
          duckdb: 'COPY of a table made by CREATE TABLE AS SELECT * FROM read_parquet(...) before the clock starts',
          polars: 'DataFrame.writeParquet of the frame readParquet made before the clock starts',
          'arrow-rs': 'writeParquet of the Table readParquet made before the clock starts, and writing its bytes to the file',
        },
        engines: {
          tarn: out(tarnIo(['load-write', pqt('lineitem'), o('tarn', c), `compression=${c}`], 'the Parquet writer'), o('tarn', c)),
          duckdb: out(node('duckdb', { setup: [`CREATE TABLE l AS SELECT * FROM read_parquet('${pqt('lineitem')}')`], sql: `COPY l TO '${o('duckdb', c)}' (FORMAT parquet, COMPRESSION ${c})`, countFirst: true }), o('duckdb', c)),
          polars: out(polars({ op: 'write_parquet', path: pqt('lineitem'), outPath: o('polars', c), compression: c }), o('polars', c)),
          'arrow-rs': out(node('arrow-rs', { op: 'write_parquet', path: pqt('lineitem'), outPath: o('arrow-rs', c), compression: c, expectRows: lineitemRows() }), o('arrow-rs', c)),
        },
      }));
    }
    case 'csv': {
      const o = (e) => join(tmpOut, `lineitem-${e}.parquet`);
      return [{
        id: 'read lineitem.tbl (pipe-delimited text, all columns)', needs: [], bytes: size(tbl('lineitem')),
        engines: {
          tarn: tarnIo(['read', tbl('lineitem'), 'format=csv', 'delimiter=|', 'header=false'], 'the CSV reader'),
          duckdb: node('duckdb', { sql: materialize(readTbl('lineitem')), countFirst: true }),
          polars: polars({ op: 'read_csv', path: tbl('lineitem') }),
        },
      }, {
        // types: DuckDB is given them (as in the read task), tarn and Polars infer
        id: 'lineitem.tbl (delimited text) to Parquet (snappy)', needs: [], bytes: size(tbl('lineitem')),
        before: () => mkdirSync(tmpOut, { recursive: true }),
        engines: {
          tarn: tarnIo(['write', tbl('lineitem'), o('tarn'), 'r.format=csv', 'r.delimiter=|', 'r.header=false',
            'compression=snappy'], 'the CSV reader and Parquet writer'),
          duckdb: node('duckdb', { sql: `COPY (SELECT * FROM ${readTbl('lineitem')}) TO '${o('duckdb')}' (FORMAT parquet, COMPRESSION snappy)`, countFirst: true }),
          polars: polars({ op: 'csv_to_parquet', path: tbl('lineitem'), outPath: o('polars') }),
        },
      }];
    }
    case 'json': {
      const jl = (t) => join(dataDir, `${t}.jsonl`);
      return [['lineitem', 'jsonl'], ['orders', 'jsonl-orders']].map(([t, need]) => ({
        id: `read ${t}.jsonl (JSON Lines, all columns)`, needs: [need], bytes: () => size(jl(t)),
        engines: {
          tarn: tarnIo(['read', jl(t)], 'the JSON reader'),
          duckdb: node('duckdb', { sql: materialize(`read_json('${jl(t)}', format='newline_delimited')`), countFirst: true }),
          polars: polars({ op: 'read_json', path: jl(t) }),
        },
      }));
    }
    case 'store':
      return [{
        id: 'read lineitem.tbl as one object (file://)', needs: [],
        engines: {
          // tarn streams the object to stdout (discarded); the peers read it into memory.
          tarn: tarnStore ? { cmd: [opt.tarn, 'store', 'cat', `file://${tbl('lineitem')}`], discardStdout: true }
            : NOT_YET('the object store (tarn store)'),
          duckdb: node('duckdb', { sql: `SELECT sum(octet_length(content)) FROM read_blob('${tbl('lineitem')}')`, countFirst: true }),
          'node-fs': node('node-fs', { path: tbl('lineitem') }),
        },
      }];
  }
}

// --- measuring -----------------------------------------------------------------
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
function measure(job) {
  const env = { ...process.env, TARN_THREADS: String(opt.threads), POLARS_MAX_THREADS: String(opt.threads) };
  const cmd = timeBin ? [timeBin, '-f', 'tn-maxrss-kb %M', ...job.cmd] : job.cmd;
  const t0 = process.hrtime.bigint();
  const stdio = job.discardStdout ? ['ignore', 'ignore', 'pipe'] : 'pipe';
  const r = spawnSync(cmd[0], cmd.slice(1), { env, encoding: 'utf8', maxBuffer: 64 << 20, stdio });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /tn-maxrss-kb (\d+)/.exec(r.stderr || '');
  if (r.status !== 0) {
    const msg = (r.stderr || '').split('\n').filter((l) => l && !l.startsWith('tn-maxrss-kb') && !l.startsWith('Command exited')).pop();
    return { error: msg || `exit status ${r.status}` };
  }
  let op = wall, rows = null;
  const line = (r.stdout || '').trim().split('\n').pop();
  if (job.csvRows) {
    // `tarn sql --format csv`: a header, then one line per row
    return { wall, op, rows: (r.stdout || '').split('\n').filter(Boolean).length - 1, rssKb: m ? Number(m[1]) : null };
  }
  try {
    const j = JSON.parse(line);
    op = j.op_s;
    rows = j.rows;
  } catch { /* a tarn command: the process time is the operation time */ }
  const outBytes = job.outFile && existsSync(job.outFile) ? statSync(job.outFile).size : null;
  return { wall, op, rows, rssKb: m ? Number(m[1]) : null, outBytes };
}

// --- reporting -----------------------------------------------------------------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b), n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const fmt = (x) => (x == null ? '—' : x < 0.01 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1));
function versions() {
  const v = (p) => { try { return JSON.parse(readFileSync(join(mods, p, 'package.json'))).version; } catch { return 'not installed'; } };
  let tarnV = 'not built';
  if (tarnCli) tarnV = spawnSync(opt.tarn, ['--version'], { encoding: 'utf8' }).stdout.trim();
  else if (existsSync(testDriver)) tarnV = 'library (CLI not built; generator run through test_tpch)';
  return [
    `tarn: ${tarnV}`,
    `DuckDB: @duckdb/node-api ${v('@duckdb/node-api')}`,
    `Polars: nodejs-polars ${v('nodejs-polars')}`,
    `arrow-rs Parquet: parquet-wasm ${v('parquet-wasm')} (WebAssembly, single-threaded)`,
    `Node.js ${process.version} (peers run inside Node; their RSS includes the Node runtime, about 40-60 MB)`,
  ];
}

// What each engine's time covers, for the tasks that say (once per suite).
function timedLines(tasks) {
  const seen = new Map();
  for (const t of tasks) for (const [e, what] of Object.entries(t.timed || {})) if (!seen.has(e)) seen.set(e, what);
  return seen.size ? ['What is timed:', ...[...seen].map(([e, what]) => `- ${e}: ${what}`), ''] : [];
}

function report(tasks, results) {
  // Tasks that write a file get a column of its size (10^6 bytes).
  const hasOut = tasks.some((t) => Object.values(t.engines).some((j) => j.outFile));
  const stamp = new Date().toISOString().replace(/\..*/, '').replace('T', ' ');
  const lines = [
    `# bench: ${opt.suite}`,
    '',
    `${stamp} UTC · ${cpus().length} cores (${cpus()[0]?.model?.trim() || 'unknown cpu'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB · scale factor ${opt.sf} · ${opt.threads} threads · ${opt.reps} repetitions after 1 warm-up, engines alternating${opt['memory-limit'] ? ` · memory limit ${opt['memory-limit']} (tarn, DuckDB; Polars has none)` : ''}`,
    '',
    'Versions:',
    ...versions().map((x) => `- ${x}`),
    '',
    'Times are seconds of the operation, timed inside the process (setup such as loading the input for a write is excluded; for tarn commands other than bench_io, the whole process). "process" is the median wall time of the whole process, setup included. Ratio is tarn/peer on the median: below 1 means tarn is faster. MB/s is the input file size (10^6 bytes) over the median, for tasks that read one file.',
    '',
    ...timedLines(tasks),
    ...(hasOut ? [
      '| task | engine | median s | min s | max s | tarn/peer | MB/s | process s | peak RSS MB | file MB | rows |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ] : [
      '| task | engine | median s | min s | max s | tarn/peer | MB/s | process s | peak RSS MB | rows |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ]),
  ];
  const notes = new Set();
  // An engine unavailable for every task (for one reason) gets one row.
  const allDown = new Set();
  for (const e of Object.keys(tasks[0].engines)) {
    const why = new Set(tasks.map((t) => t.engines[e]?.unavailable));
    if (why.size === 1 && !why.has(undefined) && tasks.length > 1) {
      allDown.add(e);
      lines.push(`| all ${tasks.length} tasks | ${e} | ${[...why][0]} | | | | | | | |`);
    }
  }
  for (const t of tasks) {
    const tarnRes = results[t.id].tarn;
    const tarnMed = tarnRes && tarnRes.ok && tarnRes.ok.length && !tarnRes.error ? median(tarnRes.ok.map((x) => x.op)) : null;
    for (const [e, job] of Object.entries(t.engines)) {
      const r = results[t.id][e];
      if (allDown.has(e)) continue;
      if (job.unavailable) {
        lines.push(`| ${t.id} | ${e} | ${job.unavailable} | | | | | | | |`);
        continue;
      }
      if (r.error) {
        lines.push(`| ${t.id} | ${e} | error: ${r.error.replace(/\|/g, '\\|').slice(0, 120)} | | | | | | | |`);
        continue;
      }
      // sameRows: every engine must return the reference engine's row count
      const ref = t.sameRows && e !== t.sameRows ? results[t.id][t.sameRows] : null;
      const refRows = ref && !ref.error && ref.ok.length ? ref.ok[0].rows : null;
      if (refRows != null && r.ok[0].rows !== refRows) {
        lines.push(`| ${t.id} | ${e} | wrong result: ${r.ok[0].rows} rows, ${t.sameRows} returns ${refRows} | | | | | | | |`);
        continue;
      }
      const ops = r.ok.map((x) => x.op), rss = r.ok.map((x) => x.rssKb).filter((x) => x != null);
      const med = median(ops);
      const ratio = e === 'tarn' ? '' : tarnMed != null ? (tarnMed / med).toFixed(2) : '—';
      const bytes = typeof t.bytes === 'function' ? t.bytes() : t.bytes;
      const mbs = bytes && med > 0 ? (bytes / 1e6 / med).toFixed(0) : '—';
      lines.push(`| ${t.id} | ${e} | ${fmt(med)} | ${fmt(Math.min(...ops))} | ${fmt(Math.max(...ops))} | ${ratio} | ${mbs} | ${fmt(median(r.ok.map((x) => x.wall)))} | ${rss.length ? (Math.max(...rss) / 1024).toFixed(0) : '—'} |${hasOut ? ` ${r.ok[0].outBytes != null ? (r.ok[0].outBytes / 1e6).toFixed(1) : '—'} |` : ''} ${r.ok[0].rows ?? '—'} |`);
    }
  }
  if (opt.suite === 'parquet-scan') notes.add('arrow-rs rows column counts record batches (parquet-wasm does not expose the row count of its Table).');
  if (notes.size) lines.push('', ...[...notes].map((n) => `Note: ${n}`));
  mkdirSync(opt.out, { recursive: true });
  const limitTag = opt['memory-limit'] ? `-mem${opt['memory-limit']}` : '';
  const file = join(opt.out, `${opt.suite}${limitTag}-${stamp.slice(0, 10)}.md`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

// --- main ------------------------------------------------------------------------
try {
  prepareTbl();
  const tasks = suiteTasks();
  await prepareDerived([...new Set(tasks.flatMap((t) => t.needs))]);
  const results = {};
  for (const t of tasks) {
    results[t.id] = {};
    const live = Object.entries(t.engines).filter(([, j]) => !j.unavailable);
    for (const [e] of live) results[t.id][e] = { ok: [] };
    for (let rep = 0; rep <= opt.reps; rep++) {
      for (const [e, job] of live) {
        const r = results[t.id][e];
        if (r.error) continue;
        if (t.before) t.before();
        const m = measure(job);
        if (m.error) r.error = m.error;
        else if (rep > 0) r.ok.push(m);
      }
    }
    log(`${t.id}: ${live.map(([e]) => `${e} ${results[t.id][e].error ? 'error' : fmt(median(results[t.id][e].ok.map((x) => x.op))) + 's'}`).join(', ') || 'nothing runnable'}`);
  }
  const file = report(tasks, results);
  rmSync(join(dataDir, 'out'), { recursive: true, force: true });
  console.log(file);
} catch (e) {
  console.error(`bench/run: ${e.message}`);
  process.exit(1);
}
