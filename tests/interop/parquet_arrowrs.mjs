// parquet_arrowrs.mjs — arrow-rs's half of tests/unit/test_parquet_arrowrs.c,
// through parquet-wasm (arrow-rs's Parquet crate compiled to WebAssembly).
//
//   node parquet_arrowrs.mjs DIR
//
// 1. Every tarn_*.parquet in DIR is read by arrow-rs and written back as
//    the Arrow IPC stream DIR/tarn_*.arrows, for tarn to compare with what
//    it wrote.
// 2. DIR/fixture.arrows (an IPC stream tarn wrote) is written by arrow-rs
//    as Parquet in every codec, data page v1 and v2, with and without
//    dictionaries, with the DELTA_* and BYTE_STREAM_SPLIT encodings, and
//    small pages: DIR/rs_*.parquet, for tarn to read.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const mods = process.env.TARN_NODE_MODULES || path.join(process.env.TARN_SOURCE_DIR, 'peers/node_modules');
const pq = await import(path.join(mods, 'parquet-wasm/node/parquet_wasm.js'));
const dir = process.argv[2];

let failed = 0;
for (const name of readdirSync(dir).filter((f) => /^tarn_.*\.parquet$/.test(f)).sort()) {
    try {
        const t = pq.readParquet(readFileSync(path.join(dir, name)));
        writeFileSync(path.join(dir, name.replace(/\.parquet$/, '.arrows')), t.intoIPCStream());
    } catch (e) {
        console.error(`arrow-rs cannot read ${name}: ${e}`);
        failed++;
    }
}

const C = pq.Compression;
const variants = [
    ['snappy_v1', C.SNAPPY, pq.WriterVersion.V1, true],
    ['gzip_v2', C.GZIP, pq.WriterVersion.V2, true],
    ['zstd_v1_plain', C.ZSTD, pq.WriterVersion.V1, false],
    ['lz4raw_v2', C.LZ4_RAW, pq.WriterVersion.V2, false],
    ['brotli_v1', C.BROTLI, pq.WriterVersion.V1, true],
    ['none_v2', C.UNCOMPRESSED, pq.WriterVersion.V2, true],
];
// and the encodings arrow-rs writes on request: DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT
const E = pq.Encoding;
const encodings = [['i32', E.DELTA_BINARY_PACKED], ['i64', E.DELTA_BINARY_PACKED], ['u16', E.DELTA_BINARY_PACKED],
    ['utf8', E.DELTA_LENGTH_BYTE_ARRAY], ['large_utf8', E.DELTA_BYTE_ARRAY], ['binary', E.DELTA_BYTE_ARRAY],
    ['f32', E.BYTE_STREAM_SPLIT], ['f64', E.BYTE_STREAM_SPLIT]];
variants.push(['encodings_v2', C.ZSTD, pq.WriterVersion.V2, false, encodings]);
const fixture = readFileSync(path.join(dir, 'fixture.arrows'));
for (const [name, codec, version, dict, encs] of variants) {
    try {
        let b = new pq.WriterPropertiesBuilder()
            .setCompression(codec)
            .setWriterVersion(version)
            .setDictionaryEnabled(dict)
            .setDataPageSizeLimit(64)
            .setWriteBatchSize(4) // the page size is checked between batches of this many rows
            .setMaxRowGroupSize(40);
        for (const [col, enc] of encs || []) b = b.setColumnEncoding(col, enc);
        const props = b.build();
        const bytes = pq.writeParquet(pq.Table.fromIPCStream(fixture), props);
        writeFileSync(path.join(dir, `rs_${name}.parquet`), bytes);
    } catch (e) {
        console.error(`arrow-rs cannot write ${name}: ${e}`);
        failed++;
    }
}
process.exit(failed ? 1 : 0);
