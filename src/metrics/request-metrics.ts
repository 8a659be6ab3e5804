import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics';

/** The route label of a request no route matched (a raw path would be one series per session). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request from Fastify's onResponse hook, labelled with its route template. Fastify
 * has already measured the time (`elapsedTime`), so the hot path is one map lookup and one
 * histogram update.
 */
export function recordRequestDurations(fastify: FastifyInstance, metrics: Metrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
