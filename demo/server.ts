/**
 * The demo page's own server, on its own origin: the page calls the service across origins, as a
 * company frontend does. Never part of the service (nothing under src/ imports it; the image and
 * dist/ carry none of it). Besides the page it has two demo-only jobs:
 *  - /demo/*: stand-ins for what the Oz Web SDK and a person would provide (a container, a photo);
 *  - /internal/*: the company's backend, which holds the internal API key (internal-proxy.ts).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildContainer, buildReferenceImage, DEFAULT_PERSON, isScenario, OPERATOR_PERSON, type Scenario } from '../test/oz-emulator';
import { proxyInternal } from './internal-proxy';
import { sendJson } from './json-answer';

const PUBLIC_DIR = join(__dirname, 'public');
const PAGE_FILES: Record<string, [file: string, type: string]> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/verification.js': ['verification.js', 'text/javascript; charset=utf-8'],
  '/messages.js': ['messages.js', 'text/javascript; charset=utf-8'],
  '/internal-panel.js': ['internal-panel.js', 'text/javascript; charset=utf-8'],
  '/review-panel.js': ['review-panel.js', 'text/javascript; charset=utf-8'],
  '/panel-kit.js': ['panel-kit.js', 'text/javascript; charset=utf-8'],
  '/page.css': ['page.css', 'text/css; charset=utf-8'],
};
/** The person the capture stand-in "films", and someone else, for face matching either way. */
const REFERENCE_PEOPLE: Record<string, string> = { same: DEFAULT_PERSON, other: 'someone-else', operator: OPERATOR_PERSON };
const CAPTURE_REQUEST_LIMIT = 16 * 1024;

export interface DemoServerOptions {
  port: number;
  serviceUrl: string;
  apiKey: string;
}

export interface DemoServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const servicePort = new URL(options.serviceUrl).port;
  const server = createServer((req, res) => {
    route(req, res, options, servicePort).catch((error: Error) => sendJson(res, 500, { error: error.message }));
  });
  // Loopback only: /internal/* holds the API key, and nobody else on the network may use it.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject); // e.g. DEMO_PORT is taken
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a browser's keep-alive connections would hold it open
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: DemoServerOptions, servicePort: string): Promise<void> {
  const hostname = allowedHostname(req);
  // A page of another site must not drive the key-holding proxy: DNS rebinding (a foreign Host) and
  // cross-site calls (Sec-Fetch-Site, which current browsers send; curl sends none) are refused.
  if (hostname === null) return sendJson(res, 421, { error: 'use http://localhost or http://127.0.0.1' });
  const url = new URL(req.url ?? '/', 'http://demo.invalid');
  const site = req.headers['sec-fetch-site'];
  const ownPageOnly = url.pathname.startsWith('/internal/') || url.pathname.startsWith('/demo/');
  if (ownPageOnly && site !== undefined && site !== 'same-origin') return sendJson(res, 403, { error: 'for the demo page only' });
  if (url.pathname.startsWith('/internal/')) return proxyInternal(req, res, url.pathname, options);
  if (req.method === 'POST' && url.pathname === '/demo/capture') return capture(req, res);
  if (req.method === 'GET' && url.pathname === '/demo/reference.jpg') return reference(res, url.searchParams.get('person'));
  if (url.pathname === '/favicon.ico') return void res.writeHead(204).end(); // browsers ask for it; a 404 would be noise
  const page = PAGE_FILES[url.pathname];
  if (req.method === 'GET' && page) return sendPageFile(res, page, `http://${hostname}:${servicePort}`);
  sendJson(res, 404, { error: 'not found' });
}

function allowedHostname(req: IncomingMessage): string | null {
  const port = (req.socket.address() as AddressInfo).port;
  const host = req.headers.host ?? '';
  return ['localhost', '127.0.0.1'].find((name) => host === `${name}:${port}`) ?? null;
}

/**
 * The page reaches the service under the host name it was opened with (localhost or 127.0.0.1),
 * so that both work; CSP lets it connect to the service and nowhere else, as a real page should.
 */
async function sendPageFile(res: ServerResponse, [file, type]: [string, string], serviceUrl: string): Promise<void> {
  let body = await readFile(join(PUBLIC_DIR, file), 'utf8');
  if (file === 'index.html') body = body.replace('{{SERVICE_URL}}', serviceUrl);
  res.writeHead(200, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': `default-src 'self'; connect-src 'self' ${serviceUrl}; img-src 'self' blob:; frame-ancestors 'none'`,
  });
  res.end(body);
}

/** Stands in for the Oz Web SDK: the emulator's builder makes the container for this session token. */
async function capture(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = parseJson(await readBody(req, CAPTURE_REQUEST_LIMIT)) as { sessionToken?: unknown; scenario?: unknown } | null;
  const token = request?.sessionToken;
  const choice = captureChoice(request?.scenario);
  if (typeof token !== 'string' || token === '' || choice === null) {
    return sendJson(res, 400, { error: 'send {"sessionToken": "<token>", "scenario": "<an emulator scenario, or operator>"}' });
  }
  const container = buildContainer({ token, ...choice });
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(container);
}

/**
 * The page's scenarios are the emulator's, and `operator`: a live capture of the person Oz is
 * unsure of, whose face match goes to human review (the review panel).
 */
function captureChoice(scenario: unknown): { scenario: Scenario; person?: string } | null {
  if (scenario === 'operator') return { scenario: 'live', person: OPERATOR_PERSON };
  return isScenario(scenario) ? { scenario } : null;
}

/** A reference photo made by the emulator: the person of the capture, or someone else. */
function reference(res: ServerResponse, who: string | null): void {
  const person = who === null ? undefined : REFERENCE_PEOPLE[who];
  if (person === undefined) return sendJson(res, 400, { error: `person must be one of ${Object.keys(REFERENCE_PEOPLE).join(', ')}` });
  res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' });
  res.end(buildReferenceImage(person));
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
}
