import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { markInternalListener } from './admission/listener';
import { clientErrorHandler } from './common/client-errors';
import type { HttpConfig } from './config';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** The INTERNAL_PORT server behind each main server, for what must watch both (the shutdown's drain). */
const internalOf = new WeakMap<Server, Server>();

/** The servers that hand their requests to the same handler as `main`: itself and, with INTERNAL_PORT, the internal one. */
export function serversBehind(main: Server): Server[] {
  const internal = internalOf.get(main);
  return internal ? [main, internal] : [main];
}

/**
 * The node servers behind the one Fastify instance (docs/api.md §16): PORT always and, when
 * INTERNAL_PORT is set, a second server that hands its requests to the same handler, so that
 * every route, hook and plugin is registered once and admission decides by the listener a
 * request came in on (admission/listener.ts). One application rather than two keeps one set of
 * providers, one store connection and one shutdown.
 */
export class Listeners {
  private internal: Server | null = null;
  private internalClosed: Promise<void> = Promise.resolve();

  constructor(private readonly config: Pick<HttpConfig, 'host' | 'port' | 'internalPort'>) {}

  /** Fastify's `serverFactory`: builds the servers as Fastify itself would (its timeouts), and keeps the second. */
  readonly serverFactory = (handler: Handler, options: FastifyServerOptions): Server => {
    const main = serverOf(handler, options);
    if (this.config.internalPort !== null) {
      this.internal = serverOf(handler, options);
      // Fastify adds its client-error handler to the server it listens on only.
      this.internal.on('clientError', clientErrorHandler);
      markInternalListener(this.internal);
      internalOf.set(main, this.internal);
    }
    return main;
  };

  /** Listens on PORT and INTERNAL_PORT at HOST; `ports` replaces the configured ones (tests: 0). */
  async listen(app: NestFastifyApplication, ports: { port?: number; internalPort?: number; host?: string } = {}): Promise<void> {
    const host = ports.host ?? this.config.host;
    await app.listen({ port: ports.port ?? this.config.port, host });
    const internal = this.internal;
    if (!internal) return;
    internal.listen(ports.internalPort ?? this.config.internalPort ?? 0, host);
    await Promise.race([once(internal, 'listening'), once(internal, 'error').then(([error]) => Promise.reject(error as Error))]);
  }

  /** The bound internal port, or null without INTERNAL_PORT. */
  get internalPort(): number | null {
    return (this.internal?.address() as AddressInfo | null | undefined)?.port ?? null;
  }

  /** Stops accepting internal connections when the application closes (Fastify closes the main server itself). */
  stopAccepting(): void {
    const internal = this.internal;
    if (!internal?.listening) return;
    this.internalClosed = new Promise((resolve) => internal.close(() => resolve()));
    internal.closeIdleConnections();
  }

  /**
   * Once the internal server's requests in flight have finished, as Fastify waits for the main
   * one's: only then may the shutdown close what they use (the store, Oz capacity, webhooks, §18).
   */
  drained(): Promise<void> {
    return this.internalClosed;
  }
}

/** Mirrors Fastify's own HTTP/1 server: its `http` options (header deadlines), request and keep-alive timeouts. */
function serverOf(handler: Handler, options: FastifyServerOptions & { http?: ServerOptions | null }): Server {
  const server = createServer(options.http ?? {}, handler);
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
  if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
  continueAfterChecks(server, handler);
  return server;
}

/**
 * Node answers `Expect: 100-continue` at once unless the server listens for 'checkContinue'. Here
 * the request goes through the ordinary handler, and `100 Continue` is written only when something
 * starts to read its body — after the checks that precede the body (docs/api.md §3, §16) passed;
 * a request refused before gets its final answer without the client having sent a byte of body.
 */
function continueAfterChecks(server: Server, handler: Handler): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const onListener = (event: string | symbol) => {
      if (event !== 'data' && event !== 'readable') return;
      request.removeListener('newListener', onListener);
      if (!response.headersSent) response.writeContinue();
    };
    request.on('newListener', onListener);
    handler(request, response);
  });
}
