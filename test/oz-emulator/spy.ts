import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  contentType: string | null;
  headerNames: string[];
  /**
   * Only `x-request-id` and the W3C trace context (`traceparent`, `tracestate`) when sent, and
   * `x-forensic-access-token: present|absent` — never token values.
   */
  headers: Record<string, string>;
  bodySize: number;
  bodySha256: string;
  receivedAt: string;
}

export interface IncomingCall {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer | null;
  receivedAt: Date;
}

/** The last `capacity` calls to the emulated Oz routes, oldest first. */
export class RequestSpy {
  private recorded: RecordedRequest[] = [];

  constructor(private readonly capacity = 500) {}

  record(call: IncomingCall): void {
    const body = call.body ?? Buffer.alloc(0);
    const headers: Record<string, string> = {};
    for (const name of ['x-request-id', 'traceparent', 'tracestate']) {
      const value = call.headers[name];
      if (value !== undefined) headers[name] = String(value);
    }
    headers['x-forensic-access-token'] = call.headers['x-forensic-access-token'] === undefined ? 'absent' : 'present';
    this.recorded.push({
      method: call.method,
      path: call.url.split('?')[0],
      contentType: call.headers['content-type'] ?? null,
      headerNames: Object.keys(call.headers),
      headers,
      bodySize: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      receivedAt: call.receivedAt.toISOString(),
    });
    if (this.recorded.length > this.capacity) this.recorded.splice(0, this.recorded.length - this.capacity);
  }

  list(): RecordedRequest[] {
    return this.recorded.map((request) => ({ ...request, headerNames: [...request.headerNames], headers: { ...request.headers } }));
  }

  clear(): void {
    this.recorded = [];
  }
}
