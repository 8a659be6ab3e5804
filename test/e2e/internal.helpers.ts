import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { startApp, type TestApp } from '../app.factory';
import { buildContainer, type OzEmulator, type Scenario, startOzEmulator } from '../oz-emulator';
import { submit } from '../oz-emulator/test-kit';
import { type Answer, call, createSession, internal, problem, uploadContainer } from './http';

/** Helpers of the internal-route specs: analysed sessions in one call, the internal routes, raw sockets, an Oz proxy. */

export interface AnalysedSession {
  sessionId: string;
  /** The public answer of the liveness upload. */
  upload: Answer;
  person: string;
}

export interface SessionOptions {
  scenario?: Scenario;
  person?: string;
  eventSessionId?: string;
  subjectId?: string;
}

/** A session that took one container of the given scenario (default: a live person). */
export async function analysedSession(serviceUrl: string, options: SessionOptions = {}): Promise<AnalysedSession> {
  const person = options.person ?? 'person-1';
  const { sessionId, sessionToken } = await createSession(serviceUrl, options.subjectId === undefined ? undefined : { subjectId: options.subjectId });
  const container = buildContainer({ token: sessionToken, scenario: options.scenario ?? 'live', person, eventSessionId: options.eventSessionId });
  const upload = await uploadContainer(serviceUrl, sessionId, container);
  return { sessionId, upload, person };
}

export const viewSession = (serviceUrl: string, sessionId: string, headers: Record<string, string> = internal()) =>
  call(`${serviceUrl}/v1/sessions/${sessionId}`, { headers });

export const readBestShot = (serviceUrl: string, sessionId: string, headers: Record<string, string> = internal()) =>
  call(`${serviceUrl}/v1/sessions/${sessionId}/best-shot`, { headers });

export const matchFaces = (serviceUrl: string, sessionId: string, body: RequestInit['body'], headers: Record<string, string> = internal()) =>
  call(`${serviceUrl}/v1/sessions/${sessionId}/biometry`, { method: 'POST', headers, body });

/** The biometry form: a `reference` file part and, when given, a `referenceType` text part. */
export function referenceForm(reference: Uint8Array, referenceType?: string, file: { name?: string; type?: string } = {}): FormData {
  const form = new FormData();
  form.append('reference', new Blob([reference], { type: file.type ?? 'image/jpeg' }), file.name ?? 'reference.jpg');
  if (referenceType !== undefined) form.append('referenceType', referenceType);
  return form;
}

/** Status, problem+json media type, body of docs/api.md §3, and the request id both in the body and the header. */
export function expectProblem(answer: Answer, status: number, code: string, extra: Record<string, unknown> = {}): void {
  expect({ status: answer.status, type: answer.headers.get('content-type') }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
  expect(answer.body).toEqual(problem(status, code, extra));
  expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
}

/** The folder the emulator answers for this person and scenario, fetched directly (scores are deterministic per person). */
export async function emulatorLivenessFolder(emulator: OzEmulator, scenario: Scenario, person: string): Promise<any> {
  const answer = await submit(emulator, { scenario, person });
  emulator.clearRequests();
  return answer.body;
}

/** A minimal valid PNG (1x1, gray): only its magic bytes matter to the service. */
export const TINY_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b550000000a49444154789c636800000082008177cd72b60000000049454e44ae426082',
  'hex',
);

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `head` (request line, headers, maybe the start of a body) over a bare socket, never ends
 * the request, and reads one answer: proves an answer comes although the rest of the body never does.
 */
export function rawExchange(baseUrl: string, head: string | Buffer, timeoutMs = 3000): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no complete answer within ${timeoutMs} ms: ${received.toString('latin1')}`)), timeoutMs);
    const finish = (error: Error | null, answer?: RawAnswer) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer as RawAnswer);
    };
    const tryParse = (ended: boolean) => {
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return ended ? finish(new Error(`incomplete answer: ${text}`)) : undefined;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      const body = text.slice(end + 4);
      const length = Number(headers['content-length'] ?? Number.NaN);
      if (ended || (Number.isFinite(length) && Buffer.byteLength(body, 'latin1') >= length)) {
        finish(null, { status: Number(statusLine.split(' ')[1]), headers, body });
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
    socket.on('error', (error) => finish(error));
    socket.write(head);
  });
}

export interface ProxiedCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A transparent HTTP proxy in front of the emulator. It keeps request bodies (the emulator's
 * spy keeps only hashes, and a multipart boundary is random), can be pointed at another
 * upstream, and can rewrite one answer to make Oz say what the emulator never does.
 */
export interface OzProxy {
  url: string;
  target: string;
  calls(): ProxiedCall[];
  clear(): void;
  /** Rewrites the JSON body of the next upstream answer to a folders call. */
  rewriteNextFolder(rewrite: (body: any) => unknown): void;
  close(): Promise<void>;
}

export async function startOzProxy(target: string): Promise<OzProxy> {
  let calls: ProxiedCall[] = [];
  let rewrite: ((body: any) => unknown) | null = null;
  const proxy: OzProxy = {
    url: '',
    target,
    calls: () => [...calls],
    clear: () => {
      calls = [];
    },
    rewriteNextFolder: (fn) => {
      rewrite = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      calls.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const headers = { ...req.headers, host: new URL(proxy.target).host };
      const upstream = httpRequest(new URL(req.url ?? '/', proxy.target), { method: req.method, headers, agent: false }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          let payload = Buffer.concat(parts);
          const transform = req.url?.startsWith('/api/instant/folders') ? rewrite : null;
          if (transform) {
            rewrite = null;
            try {
              payload = Buffer.from(JSON.stringify(transform(JSON.parse(payload.toString('utf8')))));
            } catch {
              return res.destroy();
            }
          }
          const { 'content-length': _length, 'transfer-encoding': _encoding, connection: _connection, ...rest } = answer.headers;
          res.writeHead(answer.statusCode ?? 502, { ...rest, 'content-length': String(payload.length) });
          res.end(payload);
        });
        answer.on('error', () => res.destroy());
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/** The parts of a multipart body the service sent to Oz. */
export async function multipartParts(call: ProxiedCall): Promise<FormData> {
  return new Request('http://oz.invalid/', { method: 'POST', headers: { 'content-type': String(call.headers['content-type']) }, body: call.body }).formData();
}

export interface ProxiedStack {
  emulator: OzEmulator;
  proxy: OzProxy;
  service: TestApp;
  close(): Promise<void>;
}

/** Emulator ← proxy ← service: the stack of startStack with the proxy in between. */
export async function startProxiedStack(env: Record<string, string> = {}): Promise<ProxiedStack> {
  const emulator = await startOzEmulator();
  const proxy = await startOzProxy(emulator.url);
  const service = await startApp({ OZ_API_URL: proxy.url, ...env });
  return {
    emulator,
    proxy,
    service,
    close: async () => {
      await service.close();
      await proxy.close();
      await emulator.close();
    },
  };
}
