import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type RoutePolicy, requestPolicy } from './route-policy';
import type { RouteInventory } from './route-inventory';

/**
 * Browser origins may call public routes only (docs/api.md §5): internal routes are for servers and
 * never answer a cross-origin request, nor a preflight, with an allow-origin.
 */
export async function registerCors(fastify: FastifyInstance, origins: string[], inventory: RouteInventory): Promise<void> {
  if (origins.length === 0) return;
  const allowed: FastifyCorsOptions = {
    origin: origins,
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'authorization', 'x-request-id'],
    exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
  };
  const refused: FastifyCorsOptions = { origin: false };
  await fastify.register(cors, {
    delegator: (request: FastifyRequest, callback: (error: Error | null, options: FastifyCorsOptions) => void) =>
      callback(null, targetPolicy(request, inventory)?.audience === 'public' ? allowed : refused),
  });
}

function targetPolicy(request: FastifyRequest, inventory: RouteInventory): RoutePolicy | undefined {
  const preflightMethod = request.headers['access-control-request-method'];
  if (request.method !== 'OPTIONS' || typeof preflightMethod !== 'string') return requestPolicy(request);
  return inventory.find(preflightMethod, request.url.split('?', 1)[0]);
}
