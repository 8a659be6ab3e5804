import { decodeJwt } from 'jose';
import { startStack, type Stack } from '../app.factory';
import { call, createSession, internal, problem } from './http';

describe('POST /v1/sessions', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  it('answers 201 with a session id, the Oz token and the token expiry when the body is empty', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST' });

    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/), sessionToken: expect.any(String), expiresAt: expect.any(String) });
    const { exp } = decodeJwt(answer.body.sessionToken);
    expect(answer.body.expiresAt).toBe(new Date((exp as number) * 1000).toISOString());
    expect(stack.emulator.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/authorize/session_token']);
  });

  it('keeps the subjectId and shows it to internal callers', async () => {
    const { sessionId } = await createSession(stack.service.url, { subjectId: 'customer-42@bank.example' });

    const view = await call(`${stack.service.url}/v1/sessions/${sessionId}`, { headers: internal() });

    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ sessionId, subjectId: 'customer-42@bank.example', status: 'open' });
  });

  it('finds the session when its id comes in upper case (UUIDs compare without case)', async () => {
    const { sessionId } = await createSession(stack.service.url);

    const view = await call(`${stack.service.url}/v1/sessions/${sessionId.toUpperCase()}`, { headers: internal() });

    expect(view.status).toBe(200);
    expect(view.body.sessionId).toBe(sessionId);
  });

  it.each([
    ['text/plain', ''],
    ['application/xml', ''],
    ['application/json; charset=utf-8', ''],
  ])('accepts an empty body with Content-Type %s', async (type, body) => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': type }, body });

    expect(answer.status).toBe(201);
  });

  it('accepts an empty body sent as application/octet-stream', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: '' });

    expect(answer.status).toBe(201);
  });

  it("answers a malformed URL with problem+json and X-Request-Id, not Fastify's own body", async () => {
    const answer = await call(`${stack.service.url}/v1/sessions/%E0%A4%A`, { headers: { ...internal(), 'x-request-id': 'bad-url-1' } });

    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.headers.get('x-request-id')).toBe('bad-url-1');
    expect(answer.body).toEqual(problem(400, 'VALIDATION_FAILED', { requestId: 'bad-url-1' }));
  });

  it('accepts application/json with a charset parameter', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ subjectId: 'abc' }),
    });

    expect(answer.status).toBe(201);
  });

  it('answers 415 when a non-empty body is not JSON', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'subjectId=abc' });

    expect(answer.status).toBe(415);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toEqual(problem(415, 'UNSUPPORTED_MEDIA_TYPE', { retryable: false }));
  });

  it.each([
    ['malformed JSON', '{"subjectId":'],
    ['an array', '[]'],
    ['a string', '"abc"'],
    ['an unknown field', '{"subjectId":"a","extra":1}'],
    ['a subjectId with a space', '{"subjectId":"a b"}'],
    ['a subjectId of 129 characters', JSON.stringify({ subjectId: 'a'.repeat(129) })],
    ['a numeric subjectId', '{"subjectId":42}'],
    ['an empty subjectId', '{"subjectId":""}'],
    ['a null subjectId', '{"subjectId":null}'],
    ['the JSON value null', 'null'],
  ])('answers 400 VALIDATION_FAILED for %s', async (_, body) => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(problem(400, 'VALIDATION_FAILED', { retryable: false }));
    expect(stack.emulator.requests()).toHaveLength(0);
  });

  it('echoes a sane X-Request-Id and passes it on to Oz', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { 'x-request-id': 'frontend.req:42' } });

    expect(answer.headers.get('x-request-id')).toBe('frontend.req:42');
    expect(stack.emulator.requests()[0].headers['x-request-id']).toBe('frontend.req:42');
  });

  it('replaces an X-Request-Id that is not a sane token with a new UUID', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { 'x-request-id': 'bad id<script>' } });

    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
