import { trace } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance } from 'fastify';
import { tracingActive } from './tracing';

/**
 * Names each SERVER span `<METHOD> <route template>` and sets `http.route` (docs/api.md §9). The
 * `http` instrumentation starts the span before Fastify routes the request and knows no routes;
 * Fastify's onRequest hook runs inside that span, with the route already found. A request no
 * route matched keeps the instrumentation's name, the bare method. Nothing is added when tracing
 * is off. A path parameter that names a person (a subject id, docs/api.md §6) is replaced in the
 * span's `url.path`: the `http` instrumentation recorded the raw path.
 */
/** Path parameters that name a person: never a span attribute. */
const PERSONAL_PARAMS = ['subjectId'];

export function traceRoutes(fastify: FastifyInstance): void {
  if (!tracingActive()) return;
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    const span = trace.getActiveSpan();
    if (route !== undefined && span) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      const personal = PERSONAL_PARAMS.map((name) => (request.params as Record<string, string> | undefined)?.[name]).filter((value) => value !== undefined);
      if (personal.length > 0) span.setAttribute(ATTR_URL_PATH, redactedPath(request.url, personal));
    }
    done();
  });
}

/** The path without its query, each personal value's segment as `REDACTED`. */
function redactedPath(url: string, personal: string[]): string {
  const path = url.split('?', 1)[0];
  return path
    .split('/')
    .map((segment) => (personal.some((value) => decodeURIComponent(segment) === value) ? 'REDACTED' : segment))
    .join('/');
}
