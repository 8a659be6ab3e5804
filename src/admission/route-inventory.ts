import type { FastifyInstance, RouteOptions } from 'fastify';
import { policyOf, type RoutePolicy } from './route-policy';

interface KnownRoute {
  method: string;
  pattern: RegExp;
  policy: RoutePolicy;
}

/**
 * Deny by default: every route must declare its admission policy, and the application refuses
 * to start when one does not. Also remembers which routes are public, for CORS preflights (a
 * preflight is an OPTIONS request, so the target route's policy must be looked up by path).
 */
export class RouteInventory {
  private readonly routes: KnownRoute[] = [];

  /** Registers the check; must run before the application's routes are registered (before init). */
  watch(fastify: FastifyInstance): void {
    fastify.addHook('onRoute', (route) => this.add(route));
  }

  /** The policy of the route a method and path would reach, or undefined. */
  find(method: string, path: string): RoutePolicy | undefined {
    const upper = method.toUpperCase();
    return this.routes.find((route) => route.method === upper && route.pattern.test(path))?.policy;
  }

  /** The routes at a path, whatever their method: a request with another method is 405 with these in `Allow`. */
  routesAt(path: string): { method: string; policy: RoutePolicy }[] {
    return this.routes.filter((route) => route.pattern.test(path)).map(({ method, policy }) => ({ method, policy }));
  }

  private add(route: RouteOptions): void {
    const policy = policyOf(route.config);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // @fastify/cors answers preflights on a catch-all OPTIONS route, itself admitted per target route.
    if (methods.every((method) => method === 'OPTIONS') && route.url === '*') return;
    if (!policy) throw new Error(`${methods.join(',')} ${route.url} declares no admission policy (@Admit.public, .internal or .probe)`);
    for (const method of methods) this.routes.push({ method: method.toUpperCase(), pattern: patternOf(route.url), policy });
  }
}

/** `/v1/sessions/:sessionId/liveness` → a regular expression that matches its paths. */
function patternOf(template: string): RegExp {
  const escaped = template.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${escaped.join('/')}/?$`);
}
