// A small Google Cloud Storage JSON API server for tests (no GCS emulator
// exists on this machine). It keeps objects in memory, checks what the real
// service checks that matters to tarn — the service-account JWT (RS256
// signature against the given public key, iss/aud/scope/exp), bearer tokens
// on every call, ifGenerationMatch preconditions, resumable-upload ranges —
// and answers 400 for request shapes it does not expect. List pages are
// kept small (3 entries) so that pagination is exercised. Compose joins up
// to 32 existing objects; objects keep the custom metadata they were given.
// Test controls: GET /__objects answers the object names; GET
// /__fault?kind=media|compose|session&after=K&n=N&status=S makes the N
// requests of that kind after the next K fail with status S (0: apply the
// request, then drop the connection without an answer).
//
// usage: node gcs_server.mjs PORT PUBLIC_KEY.pem CLIENT_EMAIL
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';

const [port, pubPath, email] = process.argv.slice(2);
const publicKey = crypto.createPublicKey(fs.readFileSync(pubPath));
const tokens = new Set();
const objects = new Map(); // name -> {data, generation, updated}
const sessions = new Map(); // id -> {name, cond, chunks, received}
let nextGeneration = 1000;
let fault = null; // {kind, after, n, status}
const PAGE = 3;

const b64url = (s) => Buffer.from(s, 'base64url');
function bad(res, code, message) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}
function meta(name, o) {
  return { kind: 'storage#object', name, bucket: 'tarn-test', size: String(o.data.length),
           generation: String(o.generation), updated: o.updated, metadata: o.metadata };
}
// The fault for this request, if the schedule says so: null, or a status (0: lost answer).
function injected(kind) {
  if (!fault || fault.kind !== kind) return null;
  if (fault.after > 0) { fault.after--; return null; }
  if (fault.n <= 0) return null;
  fault.n--;
  return fault.status;
}
function answer(res, f, status, headers, body) {
  if (f === 0) return res.socket.destroy();
  res.writeHead(status, headers);
  res.end(body);
}
function preconditionFails(name, cond) {
  if (cond === undefined || cond === null) return false;
  const cur = objects.get(name);
  if (cond === '0') return !!cur;
  return !cur || String(cur.generation) !== cond;
}
function store(name, data, metadata) {
  const o = { data, generation: nextGeneration++, updated: new Date().toISOString(), metadata };
  objects.set(name, o);
  return o;
}
function verifyJwt(jwt) {
  const parts = jwt.split('.');
  if (parts.length !== 3) return 'not a JWT';
  const header = JSON.parse(b64url(parts[0]).toString());
  const claims = JSON.parse(b64url(parts[1]).toString());
  if (header.alg !== 'RS256') return 'alg must be RS256';
  const ok = crypto.verify('RSA-SHA256', Buffer.from(parts[0] + '.' + parts[1]), publicKey, b64url(parts[2]));
  if (!ok) return 'bad signature';
  if (claims.iss !== email) return 'wrong iss';
  if (!String(claims.aud).endsWith('/token')) return 'wrong aud';
  if (!String(claims.scope).includes('devstorage')) return 'wrong scope';
  const now = Math.floor(Date.now() / 1000);
  if (!(claims.iat <= now + 5 && claims.exp > now && claims.exp - claims.iat <= 3600)) return 'bad iat/exp';
  return null;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://x');
    const q = url.searchParams;
    const path = url.pathname;
    if (path === '/__objects') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify([...objects.keys()].sort()));
    }
    if (path === '/__fault') {
      fault = { kind: q.get('kind'), after: Number(q.get('after') || 0), n: Number(q.get('n') || 1),
                status: Number(q.get('status') || 0) };
      res.writeHead(204); return res.end();
    }
    if (path === '/token' && req.method === 'POST') {
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
        return bad(res, 400, 'token request must be form-encoded');
      const form = new URLSearchParams(body.toString());
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
        return bad(res, 400, 'wrong grant_type');
      const why = verifyJwt(form.get('assertion') || '');
      if (why) return bad(res, 401, 'invalid_grant: ' + why);
      const tok = crypto.randomBytes(16).toString('hex');
      tokens.add(tok);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ access_token: tok, expires_in: 3599, token_type: 'Bearer' }));
    }
    const auth = String(req.headers.authorization || '');
    if (!auth.startsWith('Bearer ') || !tokens.has(auth.slice(7))) return bad(res, 401, 'Invalid Credentials');
    let m;
    if ((m = path.match(/^\/upload\/session\/(\w+)$/))) {
      const s = sessions.get(m[1]);
      if (!s) return bad(res, 404, 'No such upload');
      if (req.method === 'DELETE') { sessions.delete(m[1]); res.writeHead(499); return res.end(); }
      const cr = String(req.headers['content-range'] || '');
      const r = cr.match(/^bytes (?:(\d+)-(\d+)|\*)\/(\d+|\*)$/);
      if (req.method !== 'PUT' || !r) return bad(res, 400, 'bad Content-Range ' + cr);
      const f = r[3] !== '*' ? injected('session') : null;
      if (f) return bad(res, f, 'injected');
      if (r[1] !== undefined) {
        if (Number(r[1]) !== s.received || Number(r[2]) - Number(r[1]) + 1 !== body.length)
          return bad(res, 400, 'chunk out of order');
        s.chunks.push(body);
        s.received += body.length;
      }
      if (r[3] === '*') { res.writeHead(308, { range: `bytes=0-${s.received - 1}` }); return res.end(); }
      if (Number(r[3]) !== s.received) return bad(res, 400, 'size mismatch');
      sessions.delete(m[1]);
      if (preconditionFails(s.name, s.cond)) return bad(res, 412, 'Precondition Failed');
      const o = store(s.name, Buffer.concat(s.chunks), s.metadata);
      return answer(res, f, 200, { 'content-type': 'application/json' }, JSON.stringify(meta(s.name, o)));
    }
    if ((m = path.match(/^\/upload\/storage\/v1\/b\/([^/]+)\/o$/)) && req.method === 'POST') {
      const name = q.get('name');
      if (!name) return bad(res, 400, 'name is required');
      const cond = q.get('ifGenerationMatch');
      if (q.get('uploadType') === 'resumable') {
        const id = crypto.randomBytes(8).toString('hex');
        let metadata;
        if (body.length) {
          if (!String(req.headers['content-type']).startsWith('application/json')) return bad(res, 400, 'session metadata must be JSON');
          metadata = JSON.parse(body.toString()).metadata;
        }
        sessions.set(id, { name, cond, chunks: [], received: 0, metadata });
        res.writeHead(200, { location: `http://127.0.0.1:${port}/upload/session/${id}` });
        return res.end();
      }
      if (q.get('uploadType') !== 'media') return bad(res, 400, 'unsupported uploadType');
      const f = injected('media');
      if (f) return bad(res, f, 'injected');
      if (preconditionFails(name, cond)) return bad(res, 412, 'Precondition Failed');
      const o = store(name, body);
      return answer(res, f, 200, { 'content-type': 'application/json' }, JSON.stringify(meta(name, o)));
    }
    if ((m = path.match(/^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)\/compose$/)) && req.method === 'POST') {
      const dst = decodeURIComponent(m[2]);
      if (!String(req.headers['content-type']).startsWith('application/json')) return bad(res, 400, 'compose takes JSON');
      const spec = JSON.parse(body.toString());
      const srcs = spec.sourceObjects || [];
      if (!srcs.length || srcs.length > 32) return bad(res, 400, 'compose takes 1 to 32 sources');
      const missing = srcs.find((x) => !objects.has(x.name));
      if (missing) return bad(res, 404, 'No such object: ' + missing.name);
      const f = injected('compose');
      if (f) return bad(res, f, 'injected');
      if (preconditionFails(dst, q.get('ifGenerationMatch'))) return bad(res, 412, 'Precondition Failed');
      const o = store(dst, Buffer.concat(srcs.map((x) => objects.get(x.name).data)), (spec.destination || {}).metadata);
      return answer(res, f, 200, { 'content-type': 'application/json' }, JSON.stringify(meta(dst, o)));
    }
    if ((m = path.match(/^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)\/rewriteTo\/b\/([^/]+)\/o\/([^/]+)$/)) && req.method === 'POST') {
      const src = decodeURIComponent(m[2]), dst = decodeURIComponent(m[4]);
      const o = objects.get(src);
      if (!o) return bad(res, 404, 'No such object: ' + src);
      if (preconditionFails(dst, q.get('ifGenerationMatch'))) return bad(res, 412, 'Precondition Failed');
      const n = store(dst, o.data);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ kind: 'storage#rewriteResponse', done: true, resource: meta(dst, n) }));
    }
    if ((m = path.match(/^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/))) {
      const name = decodeURIComponent(m[2]);
      const o = objects.get(name);
      if (req.method === 'DELETE') {
        if (!o) return bad(res, 404, 'No such object: ' + name);
        objects.delete(name); res.writeHead(204); return res.end();
      }
      if (req.method !== 'GET') return bad(res, 400, 'unexpected method');
      if (!o) return bad(res, 404, 'No such object: ' + name);
      if (q.get('alt') !== 'media') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify(meta(name, o)));
      }
      const range = req.headers.range;
      if (!range) { res.writeHead(200); return res.end(o.data); }
      const r = String(range).match(/^bytes=(\d*)-(\d*)$/);
      if (!r) return bad(res, 400, 'bad Range');
      const size = o.data.length;
      let start, end;
      if (r[1] === '') { start = Math.max(0, size - Number(r[2])); end = size - 1; }
      else { start = Number(r[1]); end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1); }
      if (start >= size) return bad(res, 416, 'Requested range not satisfiable');
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${size}` });
      return res.end(o.data.subarray(start, end + 1));
    }
    if ((m = path.match(/^\/storage\/v1\/b\/([^/]+)\/o$/)) && req.method === 'GET') {
      const prefix = q.get('prefix') || '', delim = q.get('delimiter');
      const names = [...objects.keys()].filter((n) => n.startsWith(prefix)).sort();
      const entries = [];
      const seen = new Set();
      for (const n of names) {
        const rest = n.slice(prefix.length);
        const cut = delim ? rest.indexOf(delim) : -1;
        if (cut >= 0) {
          const p = prefix + rest.slice(0, cut + 1);
          if (!seen.has(p)) { seen.add(p); entries.push({ p }); }
        } else entries.push({ n });
      }
      const from = Number(q.get('pageToken') || 0);
      const page = entries.slice(from, from + PAGE);
      const out = { kind: 'storage#objects', items: [], prefixes: [] };
      for (const e of page) {
        if (e.p) out.prefixes.push(e.p); else out.items.push(meta(e.n, objects.get(e.n)));
      }
      if (from + PAGE < entries.length) out.nextPageToken = String(from + PAGE);
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(out));
    }
    bad(res, 400, `unexpected request ${req.method} ${path}`);
  });
});
server.listen(Number(port), '127.0.0.1', () => console.log(`gcs test server on 127.0.0.1:${port}`));
