/**
 * The demo's stand-in for the company's backend: it calls the service's internal routes with the
 * internal API key, so that the browser never holds the key (contract: internal routes are for
 * servers; the service's CORS never allows them). Only the routes the panels need pass, and
 * bodies and answers are streamed through unchanged, but one: POST /v1/sessions is the company's
 * backend opening a session for its signed-in person (docs/api.md §14), so the backend, not the
 * browser, says who that person is.
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { DemoServerOptions } from './server';
import { sendJson } from './json-answer';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
/** The person signed in to the demo's company site: the subject the backend vouches for. */
export const DEMO_PERSON = 'demo-person';

const ROUTES: Array<{ method: string; path: RegExp }> = [
  { method: 'POST', path: /^\/v1\/sessions$/ },
  { method: 'GET', path: new RegExp(`^/v1/sessions/${UUID}$`) },
  { method: 'GET', path: new RegExp(`^/v1/sessions/${UUID}/best-shot$`) },
  { method: 'POST', path: new RegExp(`^/v1/sessions/${UUID}/biometry$`) },
  // The review panel: the first page of the queue, and a reviewer's decision.
  { method: 'GET', path: /^\/v1\/reviews$/ },
  { method: 'POST', path: new RegExp(`^/v1/sessions/${UUID}/review$`) },
];
const FORWARDED_ANSWER_HEADERS = ['content-type', 'content-length', 'cache-control', 'x-request-id', 'retry-after'];

/** `/internal/v1/sessions/...` → the service's `/v1/sessions/...`, with the key added. */
export function proxyInternal(req: IncomingMessage, res: ServerResponse, pathname: string, options: DemoServerOptions): void {
  const path = pathname.slice('/internal'.length);
  if (!ROUTES.some((route) => route.method === req.method && route.path.test(path))) return sendJson(res, 404, { error: 'not an internal route of the demo' });
  const headers: Record<string, string> = { 'x-api-key': options.apiKey };
  for (const name of ['content-type', 'content-length', 'x-request-id']) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const vouched = path === '/v1/sessions' ? JSON.stringify({ subjectId: DEMO_PERSON }) : null;
  if (vouched !== null) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(vouched)) });
  const upstream = httpRequest(`${options.serviceUrl}${path}`, { method: req.method, headers }, (answer) => {
    const answerHeaders: Record<string, string> = {};
    for (const name of FORWARDED_ANSWER_HEADERS) {
      const value = answer.headers[name];
      if (typeof value === 'string') answerHeaders[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, answerHeaders);
    answer.pipe(res);
  });
  upstream.on('error', () => sendJson(res, 502, { error: 'the demo server could not reach the service' }));
  if (vouched === null) req.pipe(upstream);
  else upstream.end(vouched);
}
