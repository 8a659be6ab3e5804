import type { ServerResponse } from 'node:http';

/** The demo server's own answers (its refusals and failures); the service's answers pass unchanged. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
