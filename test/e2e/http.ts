import { API_KEY } from '../app.factory';

/** A service answer with its body parsed when JSON or problem+json, raw bytes otherwise. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  bytes: Buffer;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  const body = type.includes('json') && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : null;
  return { status: response.status, headers: response.headers, body, bytes };
}

export const internal = (headers: Record<string, string> = {}) => ({ 'x-api-key': API_KEY, ...headers });

export async function createSession(baseUrl: string, body?: unknown): Promise<{ sessionId: string; sessionToken: string; expiresAt: string }> {
  const answer = await call(`${baseUrl}/v1/sessions`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (answer.status !== 201) throw new Error(`session creation answered ${answer.status}: ${answer.bytes.toString()}`);
  return answer.body;
}

export function uploadContainer(baseUrl: string, sessionId: string, container: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  return call(`${baseUrl}/v1/sessions/${sessionId}/liveness`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    body: container,
  });
}

/** The problem+json shape of contract §3, for `expect(...).toEqual(problem(...))`. */
export function problem(status: number, code: string, extra: Record<string, unknown> = {}) {
  return expect.objectContaining({ type: 'about:blank', status, code, title: expect.any(String), detail: expect.any(String), requestId: expect.any(String), retryable: expect.any(Boolean), ...extra });
}
