/**
 * A webhook receiver for tests: a real HTTP server on a free port that verifies every request
 * with the `standardwebhooks` library, as a consumer of the service would, and answers what the
 * test scripted. It can stop listening (connections refused) and come back on the same port.
 *
 *   const receiver = await startWebhookReceiver();   // receiver.url, receiver.secret (WEBHOOK_URL / WEBHOOK_SECRET)
 *   receiver.answer((request) => ({ status: 500 }));  // or { status: 307, headers: { location } }, { delayMs }
 *   const [event] = await receiver.waitForDeliveries(1);
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The raw body, exactly as it arrived. */
  body: string;
  /** The `standardwebhooks` verdict on this request: null when it verified, else the library's message. */
  verificationError: string | null;
  /** The parsed body, when it verified. */
  payload: any;
  /** The status the plan chose for it. */
  status: number;
  /** How long the plan held the answer back. */
  delayMs: number;
  /** Whether the answer was written: false when the sender had given up (timed out) before it. */
  answered: boolean;
  receivedAt: number;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  /** Answer only after this long (longer than WEBHOOK_TIMEOUT_MS: the attempt times out). */
  delayMs?: number;
}

export type AnswerPlan = (request: ReceivedRequest, index: number) => Answer;

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  /** `whsec_` + base64 of 32 random bytes: the WEBHOOK_SECRET to give the service. */
  readonly secret: string;
  /** Every request received so far, in order of arrival. */
  requests(): ReceivedRequest[];
  /** The requests answered with a 2xx in time: the deliveries. */
  deliveries(): ReceivedRequest[];
  answer(plan: AnswerPlan): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  waitForDeliveries(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Closes the listening socket: attempts get ECONNREFUSED until `listen()`. */
  stopListening(): Promise<void>;
  listen(): Promise<void>;
  close(): Promise<void>;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export async function startWebhookReceiver(options: { secret?: string; port?: number; listening?: boolean } = {}): Promise<WebhookReceiver> {
  const secret = options.secret ?? newWebhookSecret();
  const verifier = new Webhook(secret);
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let plan: AnswerPlan = () => ({ status: 204 });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
    const request: ReceivedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers,
      body,
      verificationError: null,
      payload: null,
      status: 0,
      delayMs: 0,
      answered: false,
      receivedAt: Date.now(),
    };
    try {
      request.payload = verifier.verify(body, headers);
    } catch (error) {
      request.verificationError = error instanceof Error ? error.message : String(error);
    }
    const answer: Answer = request.verificationError ? { status: 401 } : plan(request, received.length);
    request.status = answer.status ?? 204;
    request.delayMs = answer.delayMs ?? 0;
    received.push(request);
    const send = () => {
      if (res.destroyed) return;
      request.answered = true;
      res.writeHead(request.status, answer.headers).end();
    };
    if (!answer.delayMs) return send();
    const timer = setTimeout(() => (timers.delete(timer), send()), answer.delayMs);
    timers.add(timer);
  };

  // Replaced by each listenOn(); this one never listens.
  let server: Server = createServer();
  const listenOn = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((req, res) => void handle(req, res));
      server.on('connection', (socket) => (sockets.add(socket), socket.once('close', () => sockets.delete(socket))));
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const stop = async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  const port = options.listening === false ? (options.port ?? (await reservePort())) : await listenOn(options.port ?? 0);
  const waitUntil = async (what: () => ReceivedRequest[], count: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (what().length < count) {
      if (Date.now() > deadline)
        throw new Error(`the receiver got ${what().length} of ${count} expected requests: ${JSON.stringify(received.map((r) => r.status))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return what();
  };
  const deliveries = () => received.filter((r) => r.answered && r.status >= 200 && r.status < 300);

  return {
    url: `http://127.0.0.1:${port}/hooks/verification`,
    port,
    secret,
    requests: () => [...received],
    deliveries,
    answer: (next) => (plan = next),
    waitForRequests: (count, timeoutMs = 10_000) => waitUntil(() => received, count, timeoutMs),
    waitForDeliveries: (count, timeoutMs = 10_000) => waitUntil(deliveries, count, timeoutMs),
    stopListening: stop,
    listen: async () => void (await listenOn(port)),
    close: stop,
  };
}

/** A port that nothing listens on right now (listen on 0, note it, close). */
async function reservePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
