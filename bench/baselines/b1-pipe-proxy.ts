/**
 * B1 — the limit of a Node hop: node:http, `stream.pipeline` of the request into a keep-alive
 * `http.request` and of the answer back, no buffering, no parsing.
 *   GET  /token    → U's GET /api/authorize/session_token, piped back as is
 *   POST /liveness → U's POST /api/instant/folders/, body and answer piped as is
 * Env: PORT, OZ_API_URL.
 */
import http from 'node:http';
import { pipeline } from 'node:stream';

const upstream = new URL(process.env.OZ_API_URL ?? 'http://127.0.0.1:8080');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const routes: Record<string, { method: string; path: string }> = {
  'GET /token': { method: 'GET', path: '/api/authorize/session_token' },
  'POST /liveness': { method: 'POST', path: '/api/instant/folders/' },
};

const server = http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  const route = routes[`${req.method} ${req.url}`];
  if (!route) {
    res.statusCode = 404;
    return res.end();
  }
  const headers: http.OutgoingHttpHeaders = {};
  if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
  if (req.headers['content-length']) headers['content-length'] = req.headers['content-length'];
  else if (route.method === 'POST') headers['transfer-encoding'] = 'chunked';
  const up = http.request({ host: upstream.hostname, port: upstream.port, method: route.method, path: route.path, headers, agent }, (upRes) => {
    const out: http.OutgoingHttpHeaders = { 'content-type': upRes.headers['content-type'] };
    if (upRes.headers['content-length']) out['content-length'] = upRes.headers['content-length'];
    res.writeHead(upRes.statusCode ?? 502, out);
    pipeline(upRes, res, () => {});
  });
  pipeline(req, up, (err) => {
    if (err && !res.headersSent) {
      res.statusCode = 502;
      res.end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 3001), '127.0.0.1');
