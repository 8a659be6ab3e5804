import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { problemCodeOf } from './answered-problems';

/**
 * One line per finished request, written from Fastify's onResponse hook through the base logger,
 * with the problem code of an error answer (docs/api.md §17). Levels say who must act: `error`
 * for defects and for Oz or the store failing (5xx), `warn` for a 503 that asks to retry later
 * (Retry-After: the service protecting itself), `info` for the client's errors (4xx), `debug`
 * for the rest (each analysis writes its own line at info).
 * Not pino-http: it built two child loggers per request and ran the request through the
 * redactor even when the line was never written, and with nestjs-pino's request context
 * (AsyncLocalStorage) that was the largest cost of a session-token call (bench/RESULTS.md).
 * Lines carry the request id explicitly, as every line written during a request does.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const statusCode = reply.statusCode;
    const level = levelOf(statusCode, reply.hasHeader('retry-after'));
    // Kubernetes probes would drown everything else.
    if (logger.isLevelEnabled(level) && !request.url.startsWith('/health/')) {
      const code = problemCodeOf(request.raw);
      logger[level](
        {
          requestId: request.id,
          req: { method: request.method, url: pathOf(request.url) },
          res: { statusCode },
          ...(code && { code }),
          responseTime: Math.round(reply.elapsedTime),
        },
        statusCode >= 500 ? 'request failed' : statusCode >= 400 ? 'request refused' : 'request completed',
      );
    }
    done();
  });
}

/**
 * The path without its query string: a query may carry what must never be logged (a client that
 * put `?sessionToken=…` on a URL), and no route of the service reads one.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : `${url.slice(0, query)}?[redacted]`;
}

function levelOf(statusCode: number, retryLater: boolean): 'error' | 'warn' | 'info' | 'debug' {
  if (statusCode === 503 && retryLater) return 'warn';
  if (statusCode >= 500) return 'error';
  return statusCode >= 400 ? 'info' : 'debug';
}
