import { trace } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import type { FastifyInstance } from 'fastify';
import { tracingActive } from './tracing';

/**
 * Names each SERVER span `<METHOD> <route template>` and sets `http.route` (docs/api.md §9). The
 * `http` instrumentation starts the span before Fastify routes the request and knows no routes;
 * Fastify's onRequest hook runs inside that span, with the route already found. A request no
 * route matched keeps the instrumentation's name, the bare method. Nothing is added when tracing
 * is off.
 */
export function traceRoutes(fastify: FastifyInstance): void {
  if (!tracingActive()) return;
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    const span = trace.getActiveSpan();
    if (route !== undefined && span) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute(ATTR_HTTP_ROUTE, route);
    }
    done();
  });
}
