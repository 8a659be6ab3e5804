import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OzHttpClient, type OzHttpCall } from './oz-http-client';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

describe('OzHttpClient', () => {
  let handler: Handler;
  let server: http.Server;
  let client: OzHttpClient;
  const sockets = new Set<number>();
  const paths: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      sockets.add(req.socket.remotePort ?? 0);
      paths.push(req.url ?? '');
      void handler(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    client = new OzHttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await client.close();
    server.close();
  });
  beforeEach(() => {
    sockets.clear();
    paths.length = 0;
  });

  const call = (overrides: Partial<OzHttpCall> = {}): OzHttpCall => ({
    method: 'GET',
    path: '/api/authorize/session_token',
    headers: { accept: 'application/json' },
    timeoutMs: 2_000,
    maxResponseBytes: 64 * 1024,
    ...overrides,
  });

  // undici may open a second socket for the call right after the first answer; never one per call.
  it('answers any status with its body and reuses keep-alive sockets for calls in sequence', async () => {
    handler = (_req, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"error_code":14}');

    const answers: unknown[] = [];
    for (let i = 0; i < 6; i += 1) answers.push(await client.send(call()));

    expect(answers).toEqual(Array(6).fill({ status: 400, date: expect.any(String), body: Buffer.from('{"error_code":14}') }));
    expect(sockets.size).toBeLessThanOrEqual(2);
  });

  it('sends the body bytes and headers as given', async () => {
    let received: { headers: http.IncomingHttpHeaders; body: Buffer } | undefined;
    handler = async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      received = { headers: req.headers, body: Buffer.concat(chunks) };
      res.writeHead(201).end('{}');
    };
    const bytes = Buffer.from([0, 255, 1, 254, 13, 10]);

    await client.send(
      call({ method: 'POST', path: '/api/instant/folders/', body: bytes, headers: { 'content-type': 'application/octet-stream', 'x-request-id': 'r-1' } }),
    );

    expect(received?.body.equals(bytes)).toBe(true);
    expect(received?.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'x-request-id': 'r-1', 'content-length': '6' });
  });

  it('does not follow a redirect', async () => {
    handler = (req, res) => (req.url === '/elsewhere' ? res.end('{"session_token":"x"}') : res.writeHead(302, { location: '/elsewhere' }).end());

    await expect(client.send(call())).resolves.toEqual({ status: 302, date: expect.any(String), body: Buffer.alloc(0) });
    expect(paths).toEqual(['/api/authorize/session_token']);
  });

  it('refuses a chunked answer over its limit as a bad response while it streams', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"session_token":"${'a'.repeat(64 * 1024)}`);
      setTimeout(() => res.end('"}'), 500);
    };

    await expect(client.send(call())).rejects.toMatchObject({ name: 'OzApiError', kind: 'bad-response' });
  });

  it('is a timeout when the answer is not complete by the deadline', async () => {
    handler = (_req, res) => {
      res.writeHead(201).write('{"folder_id":');
      setTimeout(() => res.end('"x"}'), 1_000);
    };

    await expect(client.send(call({ timeoutMs: 200 }))).rejects.toMatchObject({ name: 'OzApiError', kind: 'timeout' });
  });

  it('is a reset when the connection is closed before an answer', async () => {
    handler = (req) => req.socket.destroy();
    await expect(client.send(call())).rejects.toMatchObject({ name: 'OzApiError', kind: 'reset' });
  });

  it('is a reset when the connection is reset before an answer', async () => {
    handler = (req) => req.socket.resetAndDestroy();
    await expect(client.send(call())).rejects.toMatchObject({ name: 'OzApiError', kind: 'reset' });
  });

  it('is unreachable when nothing listens', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const nowhere = new OzHttpClient(`http://127.0.0.1:${port}`);

    await expect(nowhere.send(call())).rejects.toMatchObject({ name: 'OzApiError', kind: 'unreachable' });
    await nowhere.close();
  });
});
