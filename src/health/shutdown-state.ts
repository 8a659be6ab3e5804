import type { Server, ServerResponse } from 'node:http';
import { Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { serversBehind } from '../listeners';

/**
 * Turns true when the process starts shutting down (SIGTERM), before the server closes, so
 * readiness answers 503 and the load balancer stops sending traffic while requests in flight finish.
 *
 * It also answers those requests with `Connection: close`: the server stops only once every
 * socket is gone, and a keep-alive socket that was busy when closing began would otherwise stay
 * open until the client or the keep-alive timeout (72 s in Fastify) ends it — longer than the
 * grace period Kubernetes gives before SIGKILL.
 */
@Injectable()
export class ShutdownState implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private shuttingDown = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
    // PORT and, with INTERNAL_PORT, the internal listener: both drain with Connection: close.
    for (const listener of server ? serversBehind(server) : []) listener.on('request', (_request, response: ServerResponse) => this.track(response));
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
    for (const response of this.inFlight) closeAfter(response);
  }

  private track(response: ServerResponse): void {
    if (this.shuttingDown) return closeAfter(response);
    this.inFlight.add(response);
    response.once('close', () => this.inFlight.delete(response));
  }
}

function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}
