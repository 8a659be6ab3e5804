import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';

/**
 * Turns true when the process starts shutting down (SIGTERM), before the server closes, so
 * readiness answers 503 and the load balancer stops sending traffic while requests in flight finish.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private shuttingDown = false;

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
