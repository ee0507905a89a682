// parquet_proof_duckdb.mjs — DuckDB's writing half of
// tests/unit/test_parquet_proof.c.
//
//   node parquet_proof_duckdb.mjs DIR
//
// Writes DIR/duck_<codec>_<v1|v2>.parquet for every codec DuckDB writes
// (uncompressed, snappy, gzip, zstd, lz4_raw, brotli) in data page v1 and
// v2 (row groups of 2048 rows, three per file; dictionary pages where
// DuckDB chooses them), plus an empty file. Each holds
// every DuckDB type that has a Parquet form: signed and unsigned integers
// of every width, floats with NaN and infinities, decimals backed by
// INT32, INT64 and FIXED_LEN_BYTE_ARRAY, strings (some dictionary-friendly),
// blobs, dates, times, timestamps in s/ms/us/ns and with a zone, UUIDs,
// enums, lists, lists of lists, structs, maps and a deep nesting of all
// three, with nulls at every level. The test then reads each file with tarn
// and compares tarn's values with DuckDB's (tests/interop/parquet_duckdb.mjs).
import path from 'node:path';

const mods = process.env.TARN_NODE_MODULES || path.join(process.env.TARN_SOURCE_DIR || process.cwd(), 'peers/node_modules');
const { DuckDBInstance } = await import(path.join(mods, '@duckdb/node-api/lib/index.js'));
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const dir = process.argv[2];
const q = (s) => `'${String(s).replaceAll("'", "''")}'`;

// One row per i; n(x) is NULL on every 7th row so nulls reach every column.
const n = (e, k = 7) => `CASE WHEN i % ${k} = 3 THEN NULL ELSE ${e} END`;
await c.run(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`);
await c.run(`CREATE TABLE t AS SELECT
    i::BIGINT AS id,
    ${n('i % 2 = 0')} AS b,
    ${n('(i % 256 - 128)::TINYINT')} AS i8,
    ${n('(i * 37 % 65536 - 32768)::SMALLINT')} AS i16,
    ${n('(i * 7919 - 2000000)::INTEGER')} AS i32,
    ${n('i * 1000000007 - 9000000000000000000')} AS i64,
    ${n('(i % 256)::UTINYINT')} AS u8,
    ${n('(i * 41 % 65536)::USMALLINT')} AS u16,
    ${n('(4294967295 - i)::UINTEGER')} AS u32,
    ${n('(18446744073709551615 - i)::UBIGINT')} AS u64,
    ${n("CASE i % 50 WHEN 1 THEN 'nan'::FLOAT WHEN 2 THEN 'inf'::FLOAT WHEN 4 THEN '-inf'::FLOAT ELSE (i / 8 - 3)::FLOAT END")} AS f32,
    ${n("CASE i % 50 WHEN 5 THEN 'nan'::DOUBLE WHEN 6 THEN '-inf'::DOUBLE ELSE i * 1.25e-3 - 0.5 END")} AS f64,
    ${n('((i * 37 % 19999 - 9999) / 100)::DECIMAL(4, 2)')} AS dec4,
    ${n('((i * 123457 - 6000000) / 1000000)::DECIMAL(18, 6)')} AS dec18,
    ${n("(CASE WHEN i % 2 = 0 THEN '-' ELSE '' END || (i::HUGEINT * 98765432198765432)::VARCHAR || '.' || lpad((i * 7919)::VARCHAR, 10, '0'))::DECIMAL(38, 10)")} AS dec38,
    ${n("'s' || (i % 13)")} AS dict_str,
    ${n("repeat(chr((97 + i % 26)::INTEGER), (i % 40)::INTEGER) || 'é€' || i")} AS str,
    ${n("('\\x' || lpad(to_hex(i % 256), 2, '0') || 'z')::BLOB")} AS blob,
    ${n("DATE '1970-01-01' + (i * 97 - 30000)::INTEGER")} AS d,
    ${n("TIME '00:00:00' + INTERVAL (i * 7919123 % 86400000000) MICROSECOND")} AS t,
    ${n("TIMESTAMP '2000-01-01' + INTERVAL (i * 3600007) MILLISECOND")} AS ts,
    ${n("(TIMESTAMP '1999-12-31 23:00:00' + INTERVAL (i * 61) SECOND)::TIMESTAMP_S")} AS ts_s,
    ${n("(TIMESTAMP '2024-02-29' + INTERVAL (i * 1001) MILLISECOND)::TIMESTAMP_MS")} AS ts_ms,
    ${n("(TIMESTAMP '2024-02-29' + INTERVAL (i * 1001) MICROSECOND)::TIMESTAMP_NS + INTERVAL (i % 1000) MICROSECOND")} AS ts_ns,
    ${n("TIMESTAMPTZ '2020-06-01 12:00:00+00' + INTERVAL (i * 977) SECOND")} AS tstz,
    ${n("('0000' || lpad(to_hex(i), 4, '0') || '-1234-4abc-8def-0123456789ab')::UUID")} AS uuid,
    ${n("(['sad', 'ok', 'happy'])[i % 3 + 1]::mood")} AS mood,
    ${n("CASE WHEN i % 5 = 1 THEN [] ELSE [i::INTEGER, NULL, (i * 2)::INTEGER][1:i % 4] END")} AS list_i32,
    ${n("[[('a' || i)], [], NULL, ['x', NULL]][1:i % 5]")} AS list_list,
    ${n("{'a': (i * 3)::INTEGER, 'b': CASE WHEN i % 4 = 0 THEN NULL ELSE ['p' || i, NULL] END}")} AS struct_ab,
    ${n("CASE WHEN i % 6 = 0 THEN MAP {} ELSE MAP {'k' || i: i::INTEGER, 'z': NULL} END")} AS map_si,
    ${n(`[{'x': (i % 9)::INTEGER, 'y': CASE WHEN i % 5 = 0 THEN NULL ELSE MAP {'m' || (i % 3): [i, NULL]} END},
          NULL, {'x': NULL, 'y': MAP {}}][1:i % 4]`)} AS deep
  FROM range(0, 5000) r(i)`);

const codecs = ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw', 'brotli'];
for (const codec of codecs)
    for (const v of ['V1', 'V2'])
        await c.run(`COPY t TO ${q(path.join(dir, `duck_${codec}_${v.toLowerCase()}.parquet`))}
                     (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${v}, ROW_GROUP_SIZE 2048)`);
await c.run(`COPY (SELECT * FROM t WHERE id < 0) TO ${q(path.join(dir, 'duck_empty.parquet'))} (FORMAT parquet)`);
