import type { LoggerService } from '@nestjs/common';
import type { Configuration } from './config';

/** Where the service listens and what it talks to: the one line that says it started (docs/api.md §17). */
export interface StartupLine {
  host: string;
  port: number;
  internalPort: number | null;
  metricsPort: number;
  /** Scheme, host and port of OZ_API_URL: no path, no credentials. */
  ozOrigin: string;
  store: 'memory' | 'redis' | 'redis-cluster';
  webhooks: boolean;
  tracing: boolean;
  ozCapacity: number | null;
  ozMaxConcurrency: number;
}

export interface BoundPorts {
  port: number;
  internalPort: number | null;
  metricsPort: number;
}

export function startupLine(configuration: Configuration, bound: BoundPorts, tracing: boolean): StartupLine {
  const { http, oz, redis, webhooks, ozCapacity } = configuration;
  return {
    host: http.host,
    ...bound,
    ozOrigin: new URL(oz.baseUrl).origin,
    store: redis.url === null ? 'memory' : redis.cluster ? 'redis-cluster' : 'redis',
    webhooks: webhooks.url !== null,
    tracing,
    ozCapacity: ozCapacity.capacity,
    ozMaxConcurrency: oz.maxConcurrency,
  };
}

/** The variable that names a port another process holds, when `error` is a listener's EADDRINUSE. */
export function busyPortVariable(error: unknown, configuration: Configuration): { variable: string; port: number } | null {
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  if (code !== 'EADDRINUSE' || typeof port !== 'number') return null;
  const candidates: [string, number | null][] = [
    ['PORT', configuration.http.port],
    ['INTERNAL_PORT', configuration.http.internalPort],
    ['METRICS_PORT', configuration.metrics.port],
  ];
  const variable = candidates.find(([, configured]) => configured === port)?.[0] ?? 'PORT';
  return { variable, port };
}

/** Nest's own start-up chatter: a line per module and route, and "successfully started" before any port is bound. */
const NEST_LIFECYCLE = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * The service's logger without Nest's start-up lines: the `listening` line says the service
 * started, once it has, and a port that is taken is told once, by main.ts, with the variable to
 * change (Nest would say "successfully started" and then log the listen error itself).
 */
export class ServiceLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    if (!fromNestLifecycle(rest)) this.inner.log(message, ...rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    if (!fromNestLifecycle(rest)) this.inner.error(message, ...rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.inner.warn(message, ...rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.inner.debug?.(message, ...rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.inner.verbose?.(message, ...rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.inner.fatal?.(message, ...rest);
  }
}

/** Nest passes the context as the last argument. */
function fromNestLifecycle(rest: unknown[]): boolean {
  const context = rest.at(-1);
  return typeof context === 'string' && NEST_LIFECYCLE.has(context);
}
