// arrowjs_ipc.mjs — the Arrow JS half of tests/unit/test_ipc_interop.c.
//
//   node arrowjs_ipc.mjs check-tarn DIR ROWS   read tarn_*.arrow, check every value
//   node arrowjs_ipc.mjs write-js DIR ROWS     write js_*.arrow for tarn to check
//
// The values follow the row formulas of tests/ipc_fixture.h: column c, row r
// has seed s = r + c; top-level values are null when s % 4 == 1; nested
// values are never null. Arrow JS has no LZ4/ZSTD codec of its own, so the
// codecs registered here run the lz4 and zstd command-line tools. (Arrow JS
// 21.2.0 writes the compressed size into each buffer's length prefix; tarn
// rejects those files, and the C side of the test expects that.)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const A = await import(path.join(process.env.TARN_NODE_MODULES, 'apache-arrow/Arrow.node.mjs'));
const [mode, dir, rowsArg] = process.argv.slice(2);
const ROWS = Number(rowsArg);

const tool = (cmd, args) => (input) =>
    new Uint8Array(execFileSync(cmd, args, { input: Buffer.from(input), maxBuffer: 1 << 30 }));
A.compressionRegistry.set(A.CompressionType.LZ4_FRAME,
    { encode: tool('lz4', ['-q', '-c']), decode: tool('lz4', ['-q', '-d', '-c']) });
A.compressionRegistry.set(A.CompressionType.ZSTD,
    { encode: tool('zstd', ['-q', '-c', '-3']), decode: tool('zstd', ['-q', '-d', '-c']) });

const enc = new TextEncoder();
const words = ['alpha', 'beta', 'gamma', 'a rather long string value', ''];
const str = (s) => `${words[s % 5]}-${s}`;
const ival = (s) => (s * 37 % 101) - 50;
const uval = (s) => s * 37 % 101;
const fval = (s) => s * 0.5 - 3.25;

// One entry per column of fx_schema(true), in order. `v(s)` is the value
// as Arrow JS's get() returns it, or `raw(s)` the stored words when get()
// converts (dates, times, decimals, intervals).
const item = (t) => new A.Field('item', t, true);
const dictType = (ix) => new A.Dictionary(new A.Utf8(), ix);
const COLS = [
    { name: 'null', type: () => new A.Null(), isNull: true },
    { name: 'bool', type: () => new A.Bool(), v: (s) => s % 3 === 0 },
    { name: 'i8', type: () => new A.Int8(), v: ival },
    { name: 'i16', type: () => new A.Int16(), v: ival },
    { name: 'i32', type: () => new A.Int32(), v: ival },
    { name: 'i64', type: () => new A.Int64(), v: (s) => BigInt(ival(s)) },
    { name: 'u8', type: () => new A.Uint8(), v: uval },
    { name: 'u16', type: () => new A.Uint16(), v: uval },
    { name: 'u32', type: () => new A.Uint32(), v: uval },
    { name: 'u64', type: () => new A.Uint64(), v: (s) => BigInt(uval(s)) },
    { name: 'f16', type: () => new A.Float16(), v: fval },
    { name: 'f32', type: () => new A.Float32(), v: fval },
    { name: 'f64', type: () => new A.Float64(), v: fval },
    { name: 'dec128', type: () => new A.Decimal(2, 10, 128), raw: (s) => dec(BigInt(s * 12345 - 6789)) },
    { name: 'dec256', type: () => new A.Decimal(5, 40, 256), raw: (s) => dec(BigInt(s * 12345 - 6789), 8) },
    { name: 'utf8', type: () => new A.Utf8(), v: str },
    { name: 'large_utf8', type: () => new A.LargeUtf8(), v: str },
    { name: 'binary', type: () => new A.Binary(), v: (s) => enc.encode(str(s)) },
    { name: 'large_binary', type: () => new A.LargeBinary(), v: (s) => enc.encode(str(s)) },
    { name: 'utf8_view', type: () => new A.Utf8View(), v: str },
    { name: 'binary_view', type: () => new A.BinaryView(), v: (s) => enc.encode(str(s)) },
    { name: 'fixed3', type: () => new A.FixedSizeBinary(3), v: (s) => new Uint8Array([s & 255, (s * 7) & 255, (255 - s) & 255]) },
    { name: 'date32', type: () => new A.DateDay(), raw: (s) => [19000 + s] },
    { name: 'date64', type: () => new A.DateMillisecond(), raw: (s) => [BigInt(19000 + s) * 86400000n] },
    { name: 'time32ms', type: () => new A.TimeMillisecond(), raw: (s) => [s * 1000 + 7] },
    { name: 'time64ns', type: () => new A.TimeNanosecond(), raw: (s) => [BigInt(s) * 1000000007n] },
    { name: 'ts_us_utc', type: () => new A.TimestampMicrosecond('UTC'), raw: (s) => [1700000000n + BigInt(s) * 3600n] },
    { name: 'ts_s', type: () => new A.TimestampSecond(), raw: (s) => [1700000000n + BigInt(s) * 3600n] },
    { name: 'dur_ms', type: () => new A.DurationMillisecond(), raw: (s) => [BigInt(s * 1500 - 200)] },
    { name: 'iv_months', type: () => new A.IntervalYearMonth(), raw: (s) => [s - 3] },
    { name: 'iv_daytime', type: () => new A.IntervalDayTime(), raw: (s) => [s, s * 1000] },
    { name: 'iv_mdn', type: () => new A.IntervalMonthDayNano(), raw: (s) => [s, 2 * s, s * 999, 0] },
    { name: 'list_i32', type: () => new A.List(item(new A.Int32())),
      v: (s) => Array.from({ length: s % 3 }, (_, k) => ival(s + k)) },
    { name: 'large_list_utf8', type: () => new A.LargeList(item(new A.Utf8())),
      v: (s) => Array.from({ length: s % 3 }, (_, k) => str(s + k)) },
    { name: 'fixed_list_i16', type: () => new A.FixedSizeList(2, item(new A.Int16())),
      v: (s) => [ival(s), ival(s + 1)] },
    { name: 'struct', type: () => new A.Struct([new A.Field('a', new A.Int32(), true), new A.Field('b', new A.Utf8(), true)]),
      v: (s) => ({ a: ival(s), b: str(s + 1) }) },
    { name: 'map', type: () => new A.Map_(new A.Field('entries', new A.Struct([
          new A.Field('key', new A.Utf8(), false), new A.Field('value', new A.Int64(), true)]), false), false),
      v: (s) => Array.from({ length: s % 3 }, (_, k) => [`k${k}`, BigInt(s * 10 + k)]) },
    { name: 'dict', type: () => dictType(new A.Int32()), v: str },
    { name: 'list_dict', type: () => new A.List(item(dictType(new A.Int8()))),
      v: (s) => Array.from({ length: s % 3 }, (_, k) => str(s + k)) },
    { name: 'struct_dict', type: () => new A.Struct([new A.Field('d', dictType(new A.Int16()), true)]),
      v: (s) => ({ d: str(s) }) },
];

function dec(v, words = 4) { // unscaled value -> little-endian uint32 words
    const u = v & ((1n << BigInt(32 * words)) - 1n);
    return Array.from({ length: words }, (_, k) => Number((u >> BigInt(32 * k)) & 0xffffffffn));
}

// --- checking tarn's files -----------------------------------------------------

function same(a, b) {
    if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a) === BigInt(b);
    if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
    if (Array.isArray(b)) return a != null && a.length === b.length && b.every((x, i) => same(a[i], x));
    return a === b;
}

function actual(col, vec, i) {
    const x = vec.get(i);
    switch (col.name) {
        case 'list_i32': case 'fixed_list_i16': case 'list_dict': case 'large_list_utf8': return Array.from(x);
        case 'struct': return [x.a, x.b];
        case 'struct_dict': return [x.d];
        case 'map': return Array.from(x).map(([k, v]) => [k, v]);
        default: return x;
    }
}

function expected(col, s) {
    const v = col.v(s);
    if (col.name === 'struct') return [v.a, v.b];
    if (col.name === 'struct_dict') return [v.d];
    return v;
}

function rawAt(vec, i, width) {
    const d = vec.data[0];
    const vals = d.values;
    return Array.from(vals.subarray((d.offset + i) * width, (d.offset + i + 1) * width));
}

let failures = 0;
function fail(msg) {
    failures++;
    if (failures < 30) console.error(msg);
}

function checkBatch(file, batch, rowOffset) {
    COLS.forEach((col, c) => {
        const vec = batch.getChildAt(c);
        if (!vec) return fail(`${file}: column ${col.name} missing`);
        for (let r = 0; r < batch.numRows; r++) {
            const s = rowOffset + r + c;
            if (col.isNull) { // Arrow JS calls null-type slots valid; get() tells
                if (vec.get(r) !== null || vec.length !== batch.numRows) fail(`${file}: ${col.name}[${r}] not null`);
                continue;
            }
            const valid = s % 4 !== 1;
            if (vec.isValid(r) !== valid) { fail(`${file}: ${col.name}[${r}] validity ${vec.isValid(r)}`); continue; }
            if (!valid) continue;
            let got, want;
            if (col.raw) {
                want = col.raw(s);
                got = rawAt(vec, r, want.length);
            } else {
                want = expected(col, s);
                got = actual(col, vec, r);
            }
            if (!same(got, want)) fail(`${file}: ${col.name}[${r}] = ${String(got)}, want ${String(want)}`);
        }
    });
}

function checkSchema(file, schema) {
    if (schema.fields.length !== COLS.length) return fail(`${file}: ${schema.fields.length} fields`);
    COLS.forEach((col, c) => {
        const f = schema.fields[c];
        if (f.name !== col.name || String(f.type) !== String(col.type()))
            fail(`${file}: field ${c} is ${f.name}: ${f.type}, want ${col.name}: ${col.type()}`);
    });
    if (schema.metadata.size !== 0) fail(`${file}: unexpected schema metadata`);
}

function checkTarn() {
    for (const v of ['stream', 'file', 'stream_lz4', 'file_lz4', 'stream_zstd', 'file_zstd']) {
        const file = `tarn_${v}.arrow`;
        const bytes = readFileSync(path.join(dir, file));
        const reader = A.RecordBatchReader.from(bytes);
        reader.open();
        if (reader.isFile() !== v.startsWith('file')) fail(`${file}: format detected wrongly`);
        checkSchema(file, reader.schema);
        const batches = reader.readAll();
        const starts = [0, 5, 0];
        const lens = [ROWS, ROWS - 5, 0];
        if (batches.length !== 3) { fail(`${file}: ${batches.length} batches`); continue; }
        batches.forEach((b, k) => {
            if (b.numRows !== lens[k]) fail(`${file}: batch ${k} has ${b.numRows} rows`);
            checkBatch(file, b, starts[k]);
        });
    }
    // dictionary stream: [b a b], delta -> [c a b], replacement -> [z z z]
    const reader = A.RecordBatchReader.from(readFileSync(path.join(dir, 'tarn_dict_stream.arrow')));
    const got = [...reader].map((b) => Array.from(b.getChildAt(0)));
    const want = [['b', 'a', 'b'], ['c', 'a', 'b'], ['z', 'z', 'z']];
    if (JSON.stringify(got) !== JSON.stringify(want)) fail(`tarn_dict_stream: ${JSON.stringify(got)}`);
}

// --- writing files for tarn --------------------------------------------------------

function bitmap(valid) {
    const b = new Uint8Array(Math.ceil(valid.length / 8) + 1);
    valid.forEach((v, i) => { if (v) b[i >> 3] |= 1 << (i & 7); });
    return b;
}

function stringsData(type, list, large) {
    const bytes = list.map((s) => (typeof s === 'string' ? enc.encode(s) : s));
    const offs = large ? new BigInt64Array(bytes.length + 1) : new Int32Array(bytes.length + 1);
    let total = 0;
    bytes.forEach((b, i) => { total += b.length; offs[i + 1] = large ? BigInt(total) : total; });
    const data = new Uint8Array(total);
    let at = 0;
    for (const b of bytes) { data.set(b, at); at += b.length; }
    return { type, length: list.length, nullCount: 0, valueOffsets: offs, data };
}

function dictData(type, list) { // shared dictionary over every value the column can hold
    const uniq = [...new Set(list)];
    const ix = list.map((x) => uniq.indexOf(x));
    const IxArr = type.indices.ArrayType;
    const dict = A.makeVector(A.makeData(stringsData(new A.Utf8(), uniq, false)));
    return { indices: IxArr.from(ix), dict };
}

// Data of `n` rows for column c starting at row `start`; top = top level.
function columnData(col, type, seeds, valid, dicts) {
    const n = seeds.length;
    const nulls = valid.filter((v) => !v).length;
    const base = { type, length: n, nullCount: nulls, nullBitmap: nulls ? bitmap(valid) : undefined };
    const pick = (f) => seeds.map((s, i) => (valid[i] ? f(s) : undefined));
    switch (col.name) {
        case 'null': return A.makeData({ type, length: n, nullCount: n });
        case 'utf8_view': case 'binary_view': {
            const bytes = pick(col.v).map((x) => (x === undefined ? new Uint8Array(0) : typeof x === 'string' ? enc.encode(x) : x));
            const views = new Uint8Array(16 * n);
            const dv = new DataView(views.buffer);
            const big = [];
            let at = 0;
            bytes.forEach((b, i) => {
                dv.setInt32(16 * i, b.length, true);
                if (b.length <= 12) { views.set(b, 16 * i + 4); return; }
                views.set(b.subarray(0, 4), 16 * i + 4);
                dv.setInt32(16 * i + 8, 0, true);
                dv.setInt32(16 * i + 12, at, true);
                big.push(b);
                at += b.length;
            });
            const data = new Uint8Array(at);
            let o = 0;
            for (const b of big) { data.set(b, o); o += b.length; }
            return A.makeData({ ...base, views, variadicBuffers: [data] });
        }
        case 'large_list_utf8': {
            const kids = [];
            const offs = new BigInt64Array(n + 1);
            seeds.forEach((s, i) => { if (valid[i]) for (let k = 0; k < s % 3; k++) kids.push(str(s + k)); offs[i + 1] = BigInt(kids.length); });
            return A.makeData({ ...base, valueOffsets: offs, child: A.makeData(stringsData(new A.Utf8(), kids, false)) });
        }
        case 'bool': return A.makeData({ ...base, data: bitmap(pick(col.v).map(Boolean)) });
        case 'i8': case 'i16': case 'i32': case 'u8': case 'u16': case 'u32': case 'f32': case 'f64':
            return A.makeData({ ...base, data: type.ArrayType.from(pick(col.v).map((x) => x ?? 0)) });
        case 'i64': case 'u64':
            return A.makeData({ ...base, data: type.ArrayType.from(pick(col.v).map((x) => x ?? 0n)) });
        case 'f16': return A.makeData({ ...base, data: Uint16Array.from(pick(col.v).map((x) => A.util.float64ToUint16(x ?? 0))) });
        case 'utf8': case 'large_utf8': case 'binary': case 'large_binary': {
            const large = col.name.startsWith('large');
            const vals = pick(col.v).map((x) => x ?? '');
            return A.makeData({ ...stringsData(type, vals, large), nullCount: nulls, nullBitmap: base.nullBitmap });
        }
        case 'fixed3': {
            const d = new Uint8Array(3 * n);
            pick(col.v).forEach((x, i) => x && d.set(x, 3 * i));
            return A.makeData({ ...base, data: d });
        }
        case 'list_i32': case 'list_dict': {
            const kids = [];
            const offs = new Int32Array(n + 1);
            seeds.forEach((s, i) => { if (valid[i]) for (let k = 0; k < s % 3; k++) kids.push(s + k); offs[i + 1] = kids.length; });
            const child = col.name === 'list_i32'
                ? A.makeData({ type: type.children[0].type, length: kids.length, nullCount: 0, data: Int32Array.from(kids.map(ival)) })
                : dictColumn(type.children[0].type, kids.map(str), dicts, col.name);
            return A.makeData({ ...base, valueOffsets: offs, child });
        }
        case 'fixed_list_i16': {
            const kids = [];
            seeds.forEach((s) => kids.push(ival(s), ival(s + 1)));
            const child = A.makeData({ type: type.children[0].type, length: 2 * n, nullCount: 0, data: Int16Array.from(kids) });
            return A.makeData({ ...base, child });
        }
        case 'struct': {
            const a = A.makeData({ type: new A.Int32(), length: n, nullCount: 0, data: Int32Array.from(seeds.map(ival)) });
            const b = A.makeData(stringsData(new A.Utf8(), seeds.map((s) => str(s + 1)), false));
            return A.makeData({ ...base, children: [a, b] });
        }
        case 'struct_dict':
            return A.makeData({ ...base, children: [dictColumn(type.children[0].type, seeds.map(str), dicts, col.name)] });
        case 'map': {
            const keys = [], vals = [];
            const offs = new Int32Array(n + 1);
            seeds.forEach((s, i) => {
                if (valid[i]) for (let k = 0; k < s % 3; k++) { keys.push(`k${k}`); vals.push(BigInt(s * 10 + k)); }
                offs[i + 1] = keys.length;
            });
            const entries = type.children[0].type;
            const child = A.makeData({ type: entries, length: keys.length, nullCount: 0, children: [
                A.makeData(stringsData(new A.Utf8(), keys, false)),
                A.makeData({ type: new A.Int64(), length: vals.length, nullCount: 0, data: BigInt64Array.from(vals) })] });
            return A.makeData({ ...base, valueOffsets: offs, child });
        }
        case 'dict':
            return dictColumn(type, pick(col.v).map((x) => x ?? str(0)), dicts, col.name, base);
        default: { // raw fixed-width storage
            const width = col.raw(0).length;
            const Arr = type.ArrayType;
            const d = new Arr(width * n);
            seeds.forEach((s, i) => { if (valid[i]) col.raw(s).forEach((x, k) => { d[width * i + k] = x; }); });
            return A.makeData({ ...base, data: d });
        }
    }
}

// A dictionary column whose dictionary (shared by every batch) holds all
// the values the column takes over the whole fixture.
function dictColumn(type, vals, dicts, key, base) {
    const dict = dicts[key];
    const uniq = dict.uniq;
    const ix = type.indices.ArrayType.from(vals.map((x) => uniq.indexOf(x)));
    return A.makeData({ ...(base ?? { type, length: vals.length, nullCount: 0 }), type, data: ix, dictionary: dict.vec });
}

function makeDicts() {
    const dicts = {};
    const all = (f) => [...new Set(Array.from({ length: ROWS + 40 }, (_, s) => f(s)))];
    for (const key of ['dict', 'list_dict', 'struct_dict']) {
        const uniq = all(str);
        dicts[key] = { uniq, vec: A.makeVector(A.makeData(stringsData(new A.Utf8(), uniq, false))) };
    }
    return dicts;
}

function batchOf(schema, start, n, dicts) {
    const children = COLS.map((col, c) => {
        const seeds = Array.from({ length: n }, (_, r) => start + r + c);
        const valid = seeds.map((s) => !col.isNull && s % 4 !== 1);
        return columnData(col, schema.fields[c].type, seeds, valid, dicts);
    });
    const data = A.makeData({ type: new A.Struct(schema.fields), length: n, nullCount: 0, children });
    return new A.RecordBatch(schema, data);
}

function writeJs() {
    const schema = new A.Schema(COLS.map((col) => new A.Field(col.name, col.type(), true)));
    const dicts = makeDicts();
    const batches = [batchOf(schema, 0, 10, dicts), batchOf(schema, 10, ROWS - 10, dicts)];
    const kinds = { '': null, _lz4: A.CompressionType.LZ4_FRAME, _zstd: A.CompressionType.ZSTD };
    for (const [suffix, compressionType] of Object.entries(kinds)) {
        for (const fmt of ['stream', 'file']) {
            const W = fmt === 'file' ? A.RecordBatchFileWriter : A.RecordBatchStreamWriter;
            const w = new W({ compressionType });
            for (const b of batches) w.write(b);
            w.finish();
            writeFileSync(path.join(dir, `js_${fmt}${suffix}.arrow`), w.toUint8Array(true));
        }
    }
    // a dictionary stream: [b a b] over [a b], a delta adding c, then a replacement [z]
    const dtype = dictType(new A.Int32());
    const dschema = new A.Schema([new A.Field('d', dtype, true)]);
    const v1 = A.vectorFromArray(['a', 'b'], new A.Utf8());
    const v2 = v1.concat(A.vectorFromArray(['c'], new A.Utf8()));
    const v3 = A.vectorFromArray(['z'], new A.Utf8());
    const mk = (vec, ix) => new A.RecordBatch(dschema, A.makeData({ type: new A.Struct(dschema.fields), length: 3, nullCount: 0,
        children: [A.makeData({ type: dtype, length: 3, nullCount: 0, data: Int32Array.from(ix), dictionary: vec })] }));
    const w = new A.RecordBatchStreamWriter();
    w.write(mk(v1, [1, 0, 1]));
    w.write(mk(v2, [2, 0, 1]));
    w.write(mk(v3, [0, 0, 0]));
    w.finish();
    writeFileSync(path.join(dir, 'js_dict_stream.arrow'), w.toUint8Array(true));
    // prove the script's own files read back in Arrow JS with the same values
    for (const f of ['js_stream.arrow', 'js_file_zstd.arrow']) {
        const bs = [...A.RecordBatchReader.from(readFileSync(path.join(dir, f)))];
        checkBatch(f, bs[0], 0);
        checkBatch(f, bs[1], 10);
    }
}

if (mode === 'check-tarn') checkTarn();
else if (mode === 'write-js') writeJs();
else { console.error(`unknown mode ${mode}`); process.exit(2); }
if (failures) { console.error(`${failures} mismatches`); process.exit(1); }
console.log(`arrowjs_ipc ${mode}: ok`);
