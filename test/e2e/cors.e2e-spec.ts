import { startStack, type Stack } from '../app.factory';
import { call } from './http';

const ALLOWED = 'https://app.example';

function preflight(url: string, origin: string, method = 'POST', headers = 'content-type') {
  return call(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });
}

function corsHeaders(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => name.startsWith('access-control-'));
}

describe('CORS with CORS_ORIGINS set', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ CORS_ORIGINS: `${ALLOWED}, https://other-app.example` });
  });
  afterAll(() => stack.close());

  it('allows a preflight from a listed origin for POST /v1/sessions with a JSON body', async () => {
    const answer = await preflight(`${stack.service.url}/v1/sessions`, ALLOWED);

    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(answer.headers.get('access-control-allow-methods')?.split(/\s*,\s*/)).toContain('POST');
    expect(
      answer.headers
        .get('access-control-allow-headers')
        ?.toLowerCase()
        .split(/\s*,\s*/),
    ).toContain('content-type');
    expect(answer.headers.get('vary')?.toLowerCase()).toContain('origin');
  });

  it('allows the second listed origin as well', async () => {
    const answer = await preflight(`${stack.service.url}/v1/sessions`, 'https://other-app.example');

    expect(answer.headers.get('access-control-allow-origin')).toBe('https://other-app.example');
  });

  it('allows the octet-stream liveness upload from a listed origin', async () => {
    const answer = await preflight(
      `${stack.service.url}/v1/sessions/3f1c1f8e-8f5e-4d0e-9a52-1f2d3c4b5a69/liveness`,
      ALLOWED,
      'POST',
      'content-type,authorization,x-request-id',
    );

    expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(
      answer.headers
        .get('access-control-allow-headers')
        ?.toLowerCase()
        .split(/\s*,\s*/),
    ).toEqual(expect.arrayContaining(['content-type', 'authorization', 'x-request-id']));
  });

  it('gives no allow-origin to an origin that is not listed', async () => {
    const answer = await preflight(`${stack.service.url}/v1/sessions`, 'https://evil.example');

    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('does not let a browser send an API key: internal routes stay for servers', async () => {
    const answer = await preflight(`${stack.service.url}/v1/sessions/3f1c1f8e-8f5e-4d0e-9a52-1f2d3c4b5a69`, ALLOWED, 'GET', 'x-api-key');

    expect(answer.headers.get('access-control-allow-headers')?.toLowerCase() ?? '').not.toContain('x-api-key');
  });

  it('marks a real answer to a listed origin and exposes X-Request-Id to the page', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { origin: ALLOWED } });

    expect(answer.status).toBe(201);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(answer.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
  });

  it('does not mark a real answer to an origin that is not listed', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { origin: 'https://evil.example' } });

    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS without CORS_ORIGINS', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers a preflight without any CORS header', async () => {
    const answer = await preflight(`${stack.service.url}/v1/sessions`, ALLOWED);

    expect(corsHeaders(answer.headers)).toEqual([]);
  });

  it('answers a cross-origin request without any CORS header', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { origin: ALLOWED } });

    expect(answer.status).toBe(201);
    expect(corsHeaders(answer.headers)).toEqual([]);
  });
});
