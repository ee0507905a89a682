// A small S3 REST server for the request-level checks s3rver cannot give:
// it honours If-None-Match: * and If-Match on PutObject and on
// CompleteMultipartUpload, tracks multipart uploads (initiate, parts,
// complete, abort) and answers GET /__uploads with the uploads still open,
// so a test can prove that a failed or aborted upload leaves none behind.
// User metadata (x-amz-meta-*) given at PutObject or CreateMultipartUpload
// stays on the object and comes back on HEAD/GET. Test controls:
// /__fail-completes?n=N (N completions answer 500), /__fail-parts?after=K&n=N
// (after K more parts, N UploadPart requests answer 400),
// /__lose-completes?n=N (N completions are applied, then the connection is
// dropped without an answer).
// Every request must carry a SigV4 Authorization header for the expected
// access key and the x-amz-content-sha256 header (signatures themselves are
// checked against AWS's published vectors in test_sigv4). Objects live in
// memory; list answers are ListObjectsV2 pages of 3 keys.
//
// usage: node s3_server.mjs PORT BUCKET ACCESS_KEY
import http from 'node:http';
import crypto from 'node:crypto';

const [port, bucket, accessKey] = process.argv.slice(2);
const objects = new Map(); // key -> {data, etag, mtime}
const uploads = new Map(); // id -> {key, parts: Map(n -> Buffer)}
const failCompletes = { n: 0 };
const stats = { requests: 0, gets: 0, bytes_out: 0 }; // GET /__stats: object requests and body bytes sent
const failParts = { after: 0, n: 0 };
const loseCompletes = { n: 0 };
const userMeta = (req) => Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-amz-meta-')));

const md5 = (b) => crypto.createHash('md5').update(b).digest('hex');
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function error(res, status, code, msg) {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${msg}</Message></Error>`);
}
function conditionFails(req, key) {
  const cur = objects.get(key);
  if (req.headers['if-none-match'] === '*' && cur) return true;
  const m = req.headers['if-match'];
  if (m !== undefined && (!cur || m.replace(/"/g, '') !== cur.etag)) return true;
  return false;
}
function store(key, data, meta) {
  objects.set(key, { data, etag: md5(data), mtime: new Date(), meta: meta || {} });
  return objects.get(key);
}

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    const q = url.searchParams;
    if (url.pathname === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(stats));
    }
    if (url.pathname === '/__uploads') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ open: uploads.size, objects: objects.size }));
    }
    if (url.pathname === '/__fail-completes') { failCompletes.n = Number(q.get('n') || 1); res.writeHead(204); return res.end(); }
    if (url.pathname === '/__fail-parts') {
      failParts.after = Number(q.get('after') || 0); failParts.n = Number(q.get('n') || 1);
      res.writeHead(204); return res.end();
    }
    if (url.pathname === '/__lose-completes') { loseCompletes.n = Number(q.get('n') || 1); res.writeHead(204); return res.end(); }
    stats.requests++;
    const auth = String(req.headers.authorization || '');
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${accessKey}/`) || !/SignedHeaders=[^,]*host/.test(auth) ||
        !/Signature=[0-9a-f]{64}$/.test(auth) || !req.headers['x-amz-content-sha256'] || !req.headers['x-amz-date'])
      return error(res, 403, 'SignatureDoesNotMatch', 'missing or malformed SigV4 headers');
    const parts = url.pathname.split('/');
    if (parts[1] !== bucket) return error(res, 404, 'NoSuchBucket', 'no such bucket');
    const key = decodeURIComponent(parts.slice(2).join('/'));
    if (!key && req.method === 'GET' && q.get('list-type') === '2') {
      const prefix = q.get('prefix') || '', delim = q.get('delimiter');
      const entries = [];
      const seen = new Set();
      for (const k of [...objects.keys()].filter((k) => k.startsWith(prefix)).sort()) {
        const cut = delim ? k.indexOf(delim, prefix.length) : -1;
        if (cut >= 0) {
          const p = k.slice(0, cut + 1);
          if (!seen.has(p)) { seen.add(p); entries.push({ p }); }
        } else entries.push({ k });
      }
      const from = Number(q.get('continuation-token') || 0), page = entries.slice(from, from + 3);
      const more = from + 3 < entries.length;
      let xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><IsTruncated>${more}</IsTruncated>`;
      if (more) xml += `<NextContinuationToken>${from + 3}</NextContinuationToken>`;
      for (const e of page) {
        if (e.p) xml += `<CommonPrefixes><Prefix>${esc(e.p)}</Prefix></CommonPrefixes>`;
        else {
          const o = objects.get(e.k);
          xml += `<Contents><Key>${esc(e.k)}</Key><Size>${o.data.length}</Size><ETag>"${o.etag}"</ETag><LastModified>${o.mtime.toISOString()}</LastModified></Contents>`;
        }
      }
      res.writeHead(200, { 'content-type': 'application/xml' });
      return res.end(xml + '</ListBucketResult>');
    }
    if (req.method === 'POST' && q.has('uploads')) {
      const id = crypto.randomBytes(8).toString('hex');
      uploads.set(id, { key, parts: new Map(), meta: userMeta(req) });
      res.writeHead(200, { 'content-type': 'application/xml' });
      return res.end(`<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${esc(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    }
    if (q.has('uploadId')) {
      const u = uploads.get(q.get('uploadId'));
      if (!u) return error(res, 404, 'NoSuchUpload', 'no such upload');
      if (req.method === 'PUT') {
        if (failParts.after > 0) failParts.after--;
        else if (failParts.n > 0) { failParts.n--; return error(res, 400, 'InvalidRequest', 'injected part failure'); }
        u.parts.set(Number(q.get('partNumber')), body);
        res.writeHead(200, { etag: `"${md5(body)}"` });
        return res.end();
      }
      if (req.method === 'DELETE') { uploads.delete(q.get('uploadId')); res.writeHead(204); return res.end(); }
      if (req.method === 'POST') {
        if (failCompletes.n > 0) { failCompletes.n--; return error(res, 500, 'InternalError', 'injected completion failure'); }
        if (conditionFails(req, key)) return error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        const nums = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
        if (!nums.length || nums.some((n) => !u.parts.has(n))) return error(res, 400, 'InvalidPart', 'a listed part was not uploaded');
        const o = store(key, Buffer.concat(nums.map((n) => u.parts.get(n))), u.meta);
        uploads.delete(q.get('uploadId'));
        if (loseCompletes.n > 0) { loseCompletes.n--; return req.socket.destroy(); }
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(`<CompleteMultipartUploadResult><Key>${esc(key)}</Key><ETag>"${o.etag}"</ETag></CompleteMultipartUploadResult>`);
      }
    }
    const o = objects.get(key);
    switch (req.method) {
      case 'PUT': {
        const src = req.headers['x-amz-copy-source'];
        if (conditionFails(req, key)) return error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold');
        if (src) {
          const from = objects.get(decodeURIComponent(src).replace(`/${bucket}/`, ''));
          if (!from) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
          store(key, from.data);
        } else store(key, body, userMeta(req));
        res.writeHead(200, { etag: `"${objects.get(key).etag}"` });
        return res.end();
      }
      case 'HEAD':
      case 'GET': {
        if (!o) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.');
        const h = { etag: `"${o.etag}"`, 'last-modified': o.mtime.toUTCString(), 'content-length': o.data.length, ...o.meta };
        const r = req.headers.range && /^bytes=(\d*)-(\d*)$/.exec(req.headers.range);
        let data = o.data, status = 200;
        if (r) {
          const size = o.data.length;
          let s = r[1] === '' ? Math.max(0, size - Number(r[2])) : Number(r[1]);
          const e = r[1] === '' || r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
          if (s >= size) return error(res, 416, 'InvalidRange', 'The requested range is not satisfiable');
          data = o.data.subarray(s, e + 1);
          status = 206;
          h['content-length'] = data.length;
        }
        res.writeHead(status, h);
        if (req.method === 'GET') { stats.gets++; stats.bytes_out += data.length; }
        return res.end(req.method === 'GET' ? data : undefined);
      }
      case 'DELETE':
        objects.delete(key);
        res.writeHead(204);
        return res.end();
    }
    error(res, 400, 'BadRequest', `unexpected ${req.method} ${req.url}`);
  });
}).listen(Number(port), '127.0.0.1', () => console.log(`s3 test server on 127.0.0.1:${port}`));
