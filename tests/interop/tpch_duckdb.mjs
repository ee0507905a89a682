// tpch_duckdb.mjs DATA_DIR QUERY_DIR DUCKDB_MODULE [tbl|csv] — load the TPC-H
// tables tarn generated (pipe-delimited .tbl files, or .csv with a header as
// tarn's CSV writer makes them) into DuckDB with the specification's column
// types, check key integrity there, then run the 22 queries and check that
// each returns the result TPC-H is known for at a small scale factor.
// Prints one line per check; exits 1 if any check fails.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dataDir, queryDir, modPath, format = 'tbl'] = process.argv.slice(2);
const { DuckDBInstance } = await import(modPath);

const schema = {
  part: 'p_partkey INTEGER, p_name VARCHAR, p_mfgr VARCHAR, p_brand VARCHAR, p_type VARCHAR, p_size INTEGER, p_container VARCHAR, p_retailprice DECIMAL(15,2), p_comment VARCHAR',
  supplier: 's_suppkey INTEGER, s_name VARCHAR, s_address VARCHAR, s_nationkey INTEGER, s_phone VARCHAR, s_acctbal DECIMAL(15,2), s_comment VARCHAR',
  partsupp: 'ps_partkey INTEGER, ps_suppkey INTEGER, ps_availqty INTEGER, ps_supplycost DECIMAL(15,2), ps_comment VARCHAR',
  customer: 'c_custkey INTEGER, c_name VARCHAR, c_address VARCHAR, c_nationkey INTEGER, c_phone VARCHAR, c_acctbal DECIMAL(15,2), c_mktsegment VARCHAR, c_comment VARCHAR',
  orders: 'o_orderkey BIGINT, o_custkey INTEGER, o_orderstatus VARCHAR, o_totalprice DECIMAL(15,2), o_orderdate DATE, o_orderpriority VARCHAR, o_clerk VARCHAR, o_shippriority INTEGER, o_comment VARCHAR',
  lineitem: 'l_orderkey BIGINT, l_partkey INTEGER, l_suppkey INTEGER, l_linenumber INTEGER, l_quantity DECIMAL(15,2), l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2), l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE, l_shipinstruct VARCHAR, l_shipmode VARCHAR, l_comment VARCHAR',
  nation: 'n_nationkey INTEGER, n_name VARCHAR, n_regionkey INTEGER, n_comment VARCHAR',
  region: 'r_regionkey INTEGER, r_name VARCHAR, r_comment VARCHAR',
};

const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJS();
let failed = 0;
const check = (name, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
  if (!ok) failed++;
};

for (const [t, cols] of Object.entries(schema)) {
  await con.run(`CREATE TABLE ${t} (${cols})`);
  if (format === 'csv')
    await con.run(`COPY ${t} FROM '${join(dataDir, t + '.csv')}' (DELIMITER ',', HEADER true, QUOTE '"', ESCAPE '"')`);
  else
    await con.run(`COPY ${t} FROM '${join(dataDir, t + '.tbl')}' (DELIMITER '|', HEADER false, QUOTE '', ESCAPE '')`);
}

// Integrity, seen by DuckDB: counts and every foreign key resolves.
const one = async (sql) => Object.values((await rows(sql))[0])[0];
const sf = Number(process.env.SF || '0.01');
check('row counts', await one(`select count(*) from part`) == 200000 * sf &&
  await one(`select count(*) from orders`) == 1500000 * sf &&
  await one(`select count(*) from partsupp`) == 800000 * sf);
for (const [what, sql] of [
  ['l_orderkey resolves', 'select count(*) from lineitem left join orders on l_orderkey = o_orderkey where o_orderkey is null'],
  ['l_partkey/l_suppkey resolve in partsupp', 'select count(*) from lineitem left join partsupp on l_partkey = ps_partkey and l_suppkey = ps_suppkey where ps_partkey is null'],
  ['o_custkey resolves', 'select count(*) from orders left join customer on o_custkey = c_custkey where c_custkey is null'],
  ['ps_suppkey resolves', 'select count(*) from partsupp left join supplier on ps_suppkey = s_suppkey where s_suppkey is null'],
  ['n_regionkey resolves', 'select count(*) from nation left join region on n_regionkey = r_regionkey where r_regionkey is null'],
  ['o_totalprice is the sum of its charges', `select count(*) from orders join (select l_orderkey, sum(round(l_extendedprice * (1 - l_discount) * (1 + l_tax), 2)) t from lineitem group by all) on o_orderkey = l_orderkey where t <> o_totalprice`],
]) {
  const n = Number(await one(sql));
  check(what, n === 0, n ? `${n} rows do not` : '');
}

// What each query must return at a small scale factor (TPC-H's known shape).
const asia = new Set(['INDIA', 'INDONESIA', 'JAPAN', 'CHINA', 'VIETNAM']);
const expect = {
  // Q1: exactly the four (returnflag, linestatus) groups A/F, N/F, N/O, R/F, in order.
  1: (r) => r.length === 4 && r.map((x) => x.l_returnflag + x.l_linestatus).join() === 'AF,NF,NO,RF',
  // Q2: some European minimum-cost suppliers of size-15 BRASS parts, at most 100.
  2: (r) => r.length > 0 && r.length <= 100,
  // Q3: the full top 10 unshipped orders, by revenue descending.
  3: (r) => r.length === 10 && r.every((x, i) => i === 0 || Number(r[i - 1].revenue) >= Number(x.revenue)),
  // Q4: all five order priorities, 1-URGENT first.
  4: (r) => r.length === 5 && r[0].o_orderpriority === '1-URGENT',
  // Q5: revenue per nation, only the nations of ASIA.
  5: (r) => r.length > 0 && r.every((x) => asia.has(x.n_name)),
  // Q6: one positive revenue.
  6: (r) => r.length === 1 && Number(r[0].revenue) > 0,
  // Q7: FRANCE/GERMANY both ways for 1995 and 1996: four rows.
  7: (r) => r.length === 4 && r.every((x) => x.l_year == 1995 || x.l_year == 1996),
  // Q8: a market share in [0, 1] for each of 1995 and 1996.
  8: (r) => r.length === 2 && r.every((x) => x.mkt_share >= 0 && x.mkt_share <= 1),
  // Q9: profit per nation and year (25 nations x 7 years at most), years 1992..1998.
  9: (r) => r.length > 100 && r.every((x) => x.o_year >= 1992 && x.o_year <= 1998),
  // Q10: the full top 20 customers with returned items.
  10: (r) => r.length === 20,
  // Q11: some important GERMANY stock.
  11: (r) => r.length > 0,
  // Q12: the two ship modes asked for, MAIL then SHIP.
  12: (r) => r.length === 2 && r[0].l_shipmode === 'MAIL' && r[1].l_shipmode === 'SHIP',
  // Q13: a distribution with a c_count = 0 group holding the third of customers who never order.
  13: (r) => r.length > 5 && r.some((x) => x.c_count == 0 && x.custdist >= 1500000 * sf / 10 / 3),
  // Q14: promotion revenue share near the 1/6 of PROMO part types.
  14: (r) => r.length === 1 && r[0].promo_revenue > 5 && r[0].promo_revenue < 30,
  // Q15: at least one top supplier.
  15: (r) => r.length >= 1,
  // Q16: some (brand, type, size) groups.
  16: (r) => r.length > 0,
  // Q17: a non-null average yearly revenue.
  17: (r) => r.length === 1 && r[0].avg_yearly != null,
  // Q18: only orders above 300 units (rare at SF 0.01, so the set may be empty), at most 100.
  18: (r) => r.length <= 100 && r.every((x) => Number(Object.values(x)[5]) > 300),
  // Q19: one non-null revenue.
  19: (r) => r.length === 1 && r[0].revenue != null,
  // Q20: CANADA suppliers with excess forest parts (may be few at SF 0.01); names well formed.
  20: (r) => r.every((x) => x.s_name.startsWith('Supplier#')),
  // Q21: some SAUDI ARABIA suppliers who kept orders waiting, at most 100.
  21: (r) => r.length > 0 && r.length <= 100,
  // Q22: all seven country codes asked for.
  22: (r) => r.length === 7,
};
for (let q = 1; q <= 22; q++) {
  const file = join(queryDir, `q${String(q).padStart(2, '0')}.sql`);
  try {
    const r = await rows(readFileSync(file, 'utf8'));
    check(`Q${q}`, expect[q](r), `${r.length} rows`);
  } catch (e) {
    check(`Q${q}`, false, e.message.split('\n')[0]);
  }
}
process.exit(failed ? 1 : 0);
