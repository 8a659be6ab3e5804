import { createHash } from 'node:crypto';
import { request } from 'node:http';
import net from 'node:net';
import { buildContainer, type BuildContainerOptions, type OzEmulator, type RecordedRequest } from '../oz-emulator';
import { type Answer, call, createSession, internal, withSessionToken } from './http';

/** Helpers of the liveness and upstream-fault specs; they only speak HTTP (or raw TCP) to running servers. */

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export interface PreparedSession {
  sessionId: string;
  sessionToken: string;
  /** A container built with the session's own Oz token. */
  container: Buffer;
}

/** A new session of the service and a container for it, as the Oz SDK would make it. */
export async function sessionWithContainer(serviceUrl: string, options: Omit<BuildContainerOptions, 'token'> = {}): Promise<PreparedSession> {
  const { sessionId, sessionToken } = await createSession(serviceUrl);
  return { sessionId, sessionToken, container: buildContainer({ mediaBytes: 2048, ...options, token: sessionToken }) };
}

/** A liveness upload with `Transfer-Encoding: chunked` (no Content-Length), the body in pieces of `chunkBytes`. */
export function uploadChunked(serviceUrl: string, sessionId: string, container: Buffer, chunkBytes = 1000): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const headers = withSessionToken(sessionId, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
    const upload = request(livenessUrl(serviceUrl, sessionId), { method: 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    upload.on('error', reject);
    for (let offset = 0; offset < container.length; offset += chunkBytes) upload.write(container.subarray(offset, offset + chunkBytes));
    upload.end();
  });
}

export const livenessUrl = (serviceUrl: string, sessionId: string): string => `${serviceUrl}/v1/sessions/${sessionId}/liveness`;

export function viewSession(serviceUrl: string, sessionId: string): Promise<Answer> {
  return call(`${serviceUrl}/v1/sessions/${sessionId}`, { headers: internal() });
}

/** The liveness calls (container uploads) that reached the emulator. */
export function folderCalls(emulator: OzEmulator): RecordedRequest[] {
  return emulator.requests().filter((request) => request.path.startsWith('/api/instant/folders'));
}

/** Resolves once the emulator has received `count` folder calls (its spy records them when the body is in). */
export async function foldersCalled(emulator: OzEmulator, count = 1, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (folderCalls(emulator).length < count) {
    if (Date.now() > until) throw new Error(`the emulator saw ${folderCalls(emulator).length} folder calls, expected ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Tracks whether a promise has settled, to prove that one answer came while another call was still pending. */
export function track<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  return { promise: tracked, settled: () => settled };
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface SwitchableProxy {
  url: string;
  /** Stops listening and cuts every connection: the port then refuses connections. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of the emulator that can be switched off, so that a session made while Oz
 * was reachable can upload while nothing listens on the Oz port any more.
 */
export async function startSwitchableProxy(targetUrl: string): Promise<SwitchableProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;

  const listen = async (): Promise<void> => {
    const created = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, '127.0.0.1', resolve);
    });
    port = (created.address() as net.AddressInfo).port;
    server = created;
  };
  const stop = async (): Promise<void> => {
    const current = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (current) await new Promise((resolve) => current.close(resolve));
    // Let the service's keep-alive agent see its pooled sockets close before the next call.
    await new Promise((resolve) => setTimeout(resolve, 50));
  };
  await listen();
  return { url: `http://127.0.0.1:${port}`, stop, start: listen, close: stop };
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * Writes `head` (and `body`, if any) on a raw socket and never ends the request: the answer that
 * comes back was given without the server reading the rest of a body it was promised.
 */
export function rawExchange(serviceUrl: string, head: string, body?: Buffer, timeoutMs = 2000): Promise<RawAnswer> {
  const { hostname, port } = new URL(serviceUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let done = false;
    const finish = (error: Error | null, answer?: RawAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer as RawAnswer);
    };
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => {
      socket.write(head);
      if (body) socket.write(body);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parseRawAnswer(received);
      if (answer) finish(null, answer);
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`connection closed after ${received.length} bytes without a complete answer`)));
  });
}

function parseRawAnswer(bytes: Buffer): RawAnswer | null {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  const length = Number(headers['content-length'] ?? NaN);
  if (!Number.isInteger(length) || bytes.length < end + 4 + length) return null;
  const text = bytes.subarray(end + 4, end + 4 + length).toString('utf8');
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.length > 0 ? JSON.parse(text) : null };
}

/** The request head of a liveness upload as a raw HTTP/1.1 message, ending with the blank line. */
export function livenessHead(serviceUrl: string, sessionId: string, headers: Record<string, string>): string {
  const host = new URL(serviceUrl).host;
  const lines = Object.entries({ host, ...withSessionToken(sessionId, headers) }).map(([name, value]) => `${name}: ${value}`);
  return [`POST /v1/sessions/${sessionId}/liveness HTTP/1.1`, ...lines, '', ''].join('\r\n');
}
