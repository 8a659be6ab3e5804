import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestIdFrom } from './request-id';
import { type Problem, problemOf } from './problem';

/**
 * Node refuses some requests before any route sees them: headers over the size limit (431), a
 * request line or head it cannot parse (400), a request not received within the request timeout
 * (408). Fastify writes those answers on the raw socket; this writes them as problem+json with an
 * X-Request-Id like every other answer (docs/api.md §3), then closes the connection as Node does.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.write(rawAnswer(problemFor(error)));
  socket.destroy();
}

function problemFor(error: NodeJS.ErrnoException): Problem {
  const requestId = requestIdFrom(undefined);
  if (error.code === 'HPE_HEADER_OVERFLOW') return problemOf('HEADERS_TOO_LARGE', 'The request headers are over the size limit.', requestId);
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return problemOf('REQUEST_TIMEOUT', 'The request was not received in time.', requestId);
  return problemOf('VALIDATION_FAILED', 'The request could not be parsed as HTTP/1.1.', requestId);
}

function rawAnswer(problem: Problem): string {
  const body = JSON.stringify(problem.body);
  return [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
    'content-type: application/problem+json',
    `x-request-id: ${problem.body.requestId}`,
    'connection: close',
    `content-length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}
