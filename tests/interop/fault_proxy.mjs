// A fault-injecting HTTP proxy for object-store tests. It forwards requests
// to an upstream server unchanged (Host header included, so signatures stay
// valid) and, for each request, consumes the next fault of a schedule that
// the test sets through POST /__faults with a comma-separated body:
//   pass            forward normally
//   503 500 429     answer that status without forwarding (Retry-After: 0)
//   reset           close the connection without an answer (nothing applied)
//   applied-reset   forward, let the upstream apply it, then close the
//                   connection without answering (the client saw an error)
//   truncate        forward, then send the headers and half of the body
//   delay:MS        wait MS milliseconds, then forward
// POST /__rules sets faults by request instead, for requests sent in
// parallel whose order is not known: one rule per line,
// "SUBSTRING FAULT [COUNT [AFTER]]" — of the requests whose "METHOD URL"
// contains SUBSTRING, the AFTER first pass, the COUNT next get FAULT.
// Rules are consulted before the schedule; an empty body clears them.
// GET /__stats answers how many requests were seen and faults used.
//
// usage: node fault_proxy.mjs LISTEN_PORT UPSTREAM_PORT
import http from 'node:http';

const [listenPort, upstreamPort] = process.argv.slice(2).map(Number);
let schedule = [];
let rules = [];
let seen = 0, faulted = 0;

function forward(req, body, onResponse) {
  const up = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url,
                            headers: req.headers }, (r) => {
    const chunks = [];
    r.on('data', (c) => chunks.push(c));
    r.on('end', () => onResponse(r, Buffer.concat(chunks)));
  });
  up.on('error', () => req.socket.destroy());
  up.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    if (req.url === '/__faults' && req.method === 'POST') {
      schedule = body.toString().split(',').map((s) => s.trim()).filter(Boolean);
      res.writeHead(204); return res.end();
    }
    if (req.url === '/__rules' && req.method === 'POST') {
      rules = body.toString().split('\n').map((l) => l.trim().split(/\s+/)).filter((w) => w[0])
        .map(([sub, fault, count, after]) => ({ sub, fault, count: Number(count || 1), after: Number(after || 0) }));
      res.writeHead(204); return res.end();
    }
    if (req.url === '/__stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ seen, faulted, pending: schedule.length }));
    }
    seen++;
    let fault = null;
    for (const r of rules) {
      if (!`${req.method} ${req.url}`.includes(r.sub) || r.count <= 0) continue;
      if (r.after > 0) { r.after--; fault = 'pass'; break; }
      r.count--; fault = r.fault; break;
    }
    if (fault === null) fault = schedule.length ? schedule.shift() : 'pass';
    if (fault !== 'pass') faulted++;
    const relay = (r, data) => { res.writeHead(r.statusCode, r.headers); res.end(data); };
    if (/^\d{3}$/.test(fault)) {
      res.writeHead(Number(fault), { 'retry-after': '0', 'content-type': 'application/xml' });
      return res.end('<?xml version="1.0"?><Error><Code>InjectedFault</Code><Message>injected</Message></Error>');
    }
    if (fault === 'reset') return req.socket.destroy();
    if (fault === 'applied-reset') return forward(req, body, () => req.socket.destroy());
    if (fault === 'truncate') {
      return forward(req, body, (r, data) => {
        res.writeHead(r.statusCode, { ...r.headers, 'content-length': String(data.length) });
        res.write(data.subarray(0, Math.floor(data.length / 2)));
        setTimeout(() => req.socket.destroy(), 20);
      });
    }
    if (fault.startsWith('delay:')) return setTimeout(() => forward(req, body, relay), Number(fault.slice(6)));
    forward(req, body, relay);
  });
});
server.listen(listenPort, '127.0.0.1', () => console.log(`fault proxy on 127.0.0.1:${listenPort} -> ${upstreamPort}`));
