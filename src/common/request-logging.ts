import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/**
 * One line per finished request, written from Fastify's onResponse hook through the base logger:
 * 5xx at error, 4xx at info, the rest at debug (each analysis writes its own line at info).
 * Not pino-http: it built two child loggers per request and ran the request through the
 * redactor even when the line was never written, and with nestjs-pino's request context
 * (AsyncLocalStorage) that was the largest cost of a session-token call (bench/RESULTS.md).
 * Lines carry the request id explicitly, as every line written during a request does.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const statusCode = reply.statusCode;
    const level = statusCode >= 500 ? 'error' : statusCode >= 400 ? 'info' : 'debug';
    // Kubernetes probes would drown everything else.
    if (logger.isLevelEnabled(level) && !request.url.startsWith('/health/')) {
      logger[level](
        { requestId: request.id, req: { method: request.method, url: pathOf(request.url) }, res: { statusCode }, responseTime: Math.round(reply.elapsedTime) },
        statusCode >= 500 ? 'request failed' : 'request completed',
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
