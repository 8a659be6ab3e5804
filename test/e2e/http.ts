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

/**
 * The token each session of these tests was created with, so that an upload carries it as its
 * bearer token (docs/api.md §1) the way a frontend passes on what `POST /v1/sessions` gave it.
 */
const sessionTokens = new Map<string, string>();

/** For sessions a test created by other means than `createSession`. */
export function rememberSessionToken(sessionId: string, sessionToken: string): void {
  sessionTokens.set(sessionId.toLowerCase(), sessionToken);
}

export function tokenOf(sessionId: string): string | undefined {
  return sessionTokens.get(sessionId.toLowerCase());
}

/** A bearer token that belongs to no session, for uploads to ids no test session has. */
export const NO_SESSIONS_TOKEN = 'token-of-no-session';

/**
 * Every upload of these tests carries a bearer token: its session's own, or for an id no test
 * session has, one of no session; unless the test says otherwise (its own `authorization`
 * header, or '' for none at all).
 */
export function withSessionToken(sessionId: string, headers: Record<string, string>): Record<string, string> {
  if ('authorization' in headers) {
    const { authorization, ...rest } = headers;
    return authorization === '' ? rest : headers;
  }
  return { authorization: `Bearer ${tokenOf(sessionId) ?? NO_SESSIONS_TOKEN}`, ...headers };
}

export async function createSession(baseUrl: string, body?: unknown): Promise<{ sessionId: string; sessionToken: string; expiresAt: string }> {
  const answer = await call(`${baseUrl}/v1/sessions`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (answer.status !== 201) throw new Error(`session creation answered ${answer.status}: ${answer.bytes.toString()}`);
  rememberSessionToken(answer.body.sessionId, answer.body.sessionToken);
  return answer.body;
}

export function uploadContainer(baseUrl: string, sessionId: string, container: Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
  return call(`${baseUrl}/v1/sessions/${sessionId}/liveness`, {
    method: 'POST',
    headers: withSessionToken(sessionId, { 'content-type': 'application/octet-stream', ...headers }),
    body: container,
  });
}

/** The problem+json shape of docs/api.md §3, for `expect(...).toEqual(problem(...))`. */
export function problem(status: number, code: string, extra: Record<string, unknown> = {}) {
  return expect.objectContaining({
    type: 'about:blank',
    status,
    code,
    title: expect.any(String),
    detail: expect.any(String),
    requestId: expect.any(String),
    retryable: expect.any(Boolean),
    ...extra,
  });
}
