import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { httpConfig, type HttpConfig, metricsConfig, type MetricsConfig } from '../config';
import { Metrics } from './metrics';

/**
 * `GET /metrics` on METRICS_PORT (at HOST, 0.0.0.0 by default), a listener of its own: metrics are never served
 * on PORT, where the public routes are (docs/api.md §5, §9). It opens when the application has
 * started and closes after the application has drained, so that a scrape still sees the last
 * requests of a replica that is shutting down.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | null = null;

  constructor(
    private readonly metrics: Metrics,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
    @Inject(httpConfig.KEY) private readonly http: Pick<HttpConfig, 'host'>,
  ) {}

  /** The bound port: METRICS_PORT, or the system's choice when it is 0. */
  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the metrics server is not listening');
    return address.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const server = createServer((request, response) => void this.answer(request, response));
    // A port that is taken stops the start, as one taken by the main listener does.
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.http.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = once(server, 'close');
    server.close();
    // A scraper's keep-alive connection must not hold the process open.
    server.closeAllConnections();
    await closed;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') return void response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return void response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed\n');
    }
    try {
      const text = await this.metrics.exposition();
      response.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : text);
    } catch {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics could not be collected\n');
    }
  }
}
