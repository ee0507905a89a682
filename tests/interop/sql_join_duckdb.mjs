// sql_join_duckdb.mjs — the expected results of tests/unit/test_sql_join.c,
// computed by DuckDB on the same data. The unit test builds these tables as
// Arrow batches and runs tarn's join operators on them directly; the
// expectations pasted there were printed by this script (run it after
// changing the data: node tests/interop/sql_join_duckdb.mjs).
// Each result is printed as sorted lines "v1|v2|...", NULL for nulls.
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const peers = process.env.TARN_NODE_MODULES ||
  (process.env.TARN_SOURCE_DIR ? join(process.env.TARN_SOURCE_DIR, 'peers/node_modules') : join(process.cwd(), 'peers/node_modules'));
const { DuckDBInstance } = require(join(peers, '@duckdb/node-api'));

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const setup = `
create table l(a int, s varchar);
insert into l values (1,'x'),(2,'y'),(2,'y2'),(3,'z'),(NULL,'n'),(5,'w');
create table r(b int, v bigint);
insert into r values (2,20),(2,21),(3,30),(4,40),(NULL,99),(6,60);
create table r_nonull as select * from r where b is not null;
create table r_unique as select * from r where b is distinct from 2;
create table m1(k1 bigint, k2 varchar, k3 date, k4 decimal(10,2), p int);
insert into m1 values (1,'a','2024-01-01',1.50,10),(1,'a','2024-01-02',1.50,11),(2,NULL,'2024-02-01',2.00,12),
  (2,'b','2024-02-01',2.00,13),(3,'c','2024-03-01',3.25,14),(3,'c','2024-03-01',3.25,15),(NULL,'d','2024-04-01',4.00,16);
create table m2(k1 bigint, k2 varchar, k3 date, k4 decimal(10,2), q int);
insert into m2 values (1,'a','2024-01-01',1.50,100),(1,'a','2024-01-01',1.51,101),(2,NULL,'2024-02-01',2.00,102),
  (3,'c','2024-03-01',3.25,103),(3,'c','2024-03-01',3.25,104),(NULL,'d','2024-04-01',4.00,105),(2,'b','2024-02-01',2.00,106);
create table o(c int, x int);
insert into o values (1,1),(1,NULL),(1,5),(2,1),(2,NULL),(3,1),(3,NULL),(NULL,1),(NULL,7);
create table i(c int, y int);
insert into i values (1,1),(1,2),(2,NULL),(2,3),(4,1),(NULL,1);
`;
await con.run(setup);

const queries = {
  inner: 'select * from l join r on a = b',
  left: 'select * from l left join r on a = b',
  right: 'select * from l right join r on a = b',
  full: 'select * from l full join r on a = b',
  semi: 'select * from l semi join r on a = b',
  anti: 'select * from l anti join r on a = b',
  mark: 'select *, a in (select b from r) from l',
  mark_nonull: 'select *, a in (select b from r_nonull) from l',
  single: 'select * from l left join r_unique on a = b',
  inner_cond: 'select * from l join r on a = b and v > 20',
  left_cond: 'select * from l left join r on a = b and v > 20',
  full_cond: 'select * from l full join r on a = b and v > 20',
  semi_cond: 'select * from l semi join r on a = b and v > 20',
  anti_cond: 'select * from l anti join r on a = b and v > 20',
  multi_inner: 'select * from m1 join m2 on m1.k1 = m2.k1 and m1.k2 is not distinct from m2.k2 and m1.k3 = m2.k3 and m1.k4 = m2.k4',
  multi_left: 'select * from m1 left join m2 on m1.k1 = m2.k1 and m1.k2 = m2.k2 and m1.k3 = m2.k3 and m1.k4 = m2.k4',
  mark_corr: 'select c, x, x in (select y from i where i.c is not distinct from o.c) from o',
  computed_key: 'select * from l join r on a * 2 = b',
  computed_key_left: 'select * from l left join r on a * 2 = b',
  nl_inner: 'select * from l join r on a < b',
  nl_left: 'select * from l left join r on a < b',
  nl_right: 'select * from l right join r on a < b',
  nl_full: 'select * from l full join r on a < b',
  nl_semi: 'select * from l semi join r on a < b',
  nl_anti: 'select * from l anti join r on a < b',
  nl_mark: 'select *, a < any (select b from r) from l',
  nl_left_and: 'select * from l left join r on a < b and v < 50 and s <> \'y2\'',
  nl_cross_count: 'select count(*) from l cross join r',
};

for (const [name, sql] of Object.entries(queries)) {
  const reader = await con.runAndReadAll(sql);
  const rows = reader.getRows().map(r => r.map(v => v === null ? 'NULL' : String(v)).join('|')).sort();
  console.log(`== ${name}`);
  for (const r of rows) console.log(r);
}
