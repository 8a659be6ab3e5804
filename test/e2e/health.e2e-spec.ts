import { startApp, startStack, type Stack, type TestApp } from '../app.factory';
import { buildContainer, buildReferenceImage, startOzEmulator } from '../oz-emulator';
import { call, createSession, internal, uploadContainer } from './http';
import { ShutdownState } from '../../src/health/shutdown-state';
import { biometryForm, freePort } from './ops.helpers';

const TERMINUS_OK = { status: 'ok', info: expect.any(Object), error: {}, details: expect.any(Object) };

describe('GET /health/live and /health/ready', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('answers liveness 200 in the terminus format without dependency checks', async () => {
    const answer = await call(`${stack.service.url}/health/live`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('answers readiness 200 with the store and the lifecycle up, and never calls Oz', async () => {
    stack.emulator.clearRequests();

    const answer = await call(`${stack.service.url}/health/ready`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(TERMINUS_OK);
    expect(answer.body.info).toEqual({ store: { status: 'up' }, lifecycle: { status: 'up' } });
    expect(answer.body.details).toEqual(answer.body.info);
    expect(stack.emulator.requests()).toHaveLength(0);
  });

  it('carries X-Request-Id on health answers too', async () => {
    const answer = await call(`${stack.service.url}/health/ready`, { headers: { 'x-request-id': 'probe-1' } });

    expect(answer.headers.get('x-request-id')).toBe('probe-1');
  });
});

describe('readiness once shutdown began', () => {
  it('answers 503 in the terminus format with the lifecycle down, not a problem', async () => {
    const service = await startApp({ OZ_API_URL: 'http://oz.invalid' });
    try {
      service.app.get(ShutdownState).beforeApplicationShutdown();

      const answer = await call(`${service.url}/health/ready`);

      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.headers.get('cache-control')).toBe('no-cache, no-store, must-revalidate');
      expect(answer.body).toEqual({
        status: 'error',
        info: { store: { status: 'up' } },
        error: { lifecycle: { status: 'down', message: 'shutting down' } },
        details: { store: { status: 'up' }, lifecycle: { status: 'down', message: 'shutting down' } },
      });
    } finally {
      await service.close();
    }
  });
});

describe('readiness while Oz is unreachable', () => {
  let service: TestApp;

  beforeAll(async () => {
    service = await startApp({ OZ_API_URL: `http://127.0.0.1:${await freePort()}` });
  });
  afterAll(() => service.close());

  it('stays 200: an Oz outage must not take every replica out of the load balancer', async () => {
    const oz = await call(`${service.url}/v1/sessions`, { method: 'POST' });
    expect(oz.status).toBe(503);

    const answer = await call(`${service.url}/health/ready`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(TERMINUS_OK);
  });
});

describe('graceful shutdown', () => {
  it('finishes a liveness upload in flight and refuses new requests once closing began', async () => {
    const emulator = await startOzEmulator();
    const service = await startApp({ OZ_API_URL: emulator.url });
    try {
      const { sessionId, sessionToken } = await createSession(service.url);
      const container = buildContainer({ token: sessionToken, scenario: 'fault-delay', delayMs: 800 });
      const inFlight = uploadContainer(service.url, sessionId, container);
      await waitFor(() => emulator.requests().some((r) => r.path.startsWith('/api/instant/folders')));

      const closing = service.app.close();
      const refused = await fetch(`${service.url}/health/ready`).then(
        (r) => r.status,
        () => 'refused',
      );
      const answer = await inFlight;
      await closing;

      expect([503, 'refused']).toContain(refused);
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ sessionId, status: 'completed', decision: 'accepted', reason: 'LIVENESS_PASSED' });
    } finally {
      await emulator.close();
    }
  });

  it('finishes a biometry call in flight with its result once closing began', async () => {
    const emulator = await startOzEmulator();
    const service = await startApp({ OZ_API_URL: emulator.url });
    try {
      const { sessionId, sessionToken } = await createSession(service.url);
      expect((await uploadContainer(service.url, sessionId, buildContainer({ token: sessionToken }))).status).toBe(201);
      emulator.clearRequests();
      emulator.armFault({ kind: 'delay', delayMs: 800, route: 'folders' });
      const inFlight = call(`${service.url}/v1/sessions/${sessionId}/biometry`, {
        method: 'POST',
        headers: internal(),
        body: biometryForm(buildReferenceImage('person-1')),
      });
      await waitFor(() => emulator.requests().length > 0);

      const closing = service.app.close();
      const answer = await inFlight;
      await closing;

      expect(answer.status).toBe(201);
      expect(answer.body.result).toMatchObject({ decision: 'accepted', reason: 'FACE_MATCHED' });
    } finally {
      await emulator.close();
    }
  });

  it('drains a biometry call in flight on INTERNAL_PORT before the shutdown closes what it uses, answering it with Connection: close', async () => {
    const emulator = await startOzEmulator();
    const service = await startApp({ OZ_API_URL: emulator.url, INTERNAL_PORT: '0' });
    try {
      const { sessionId, sessionToken } = await createSession(service.url);
      expect((await uploadContainer(service.url, sessionId, buildContainer({ token: sessionToken }))).status).toBe(201);
      emulator.clearRequests();
      emulator.armFault({ kind: 'delay', delayMs: 800, route: 'folders' });
      const inFlight = call(`${service.internalUrl}/v1/sessions/${sessionId}/biometry`, {
        method: 'POST',
        headers: internal(),
        body: biometryForm(buildReferenceImage('person-1')),
      });
      await waitFor(() => emulator.requests().length > 0);

      // What Oz still has when the application has closed: nothing, if the close waited for the call.
      const ozCallsLeftAtClose = service.app.close().then(() => emulator.load().inFlight);
      const answer = await inFlight;

      expect(await ozCallsLeftAtClose).toBe(0);
      expect(answer.status).toBe(201);
      expect(answer.headers.get('connection')).toBe('close');
      expect(answer.body.result).toMatchObject({ decision: 'accepted', reason: 'FACE_MATCHED' });
    } finally {
      await emulator.close();
    }
  });
});

describe('an unknown route', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it.each([
    ['GET', '/nope'],
    ['POST', '/v1/session'],
    // DELETE /v1/sessions is a known path with another method: 405 (listeners.e2e-spec.ts).
    ['DELETE', '/v1/session'],
    ['GET', '/health'],
  ])('answers %s %s with 404 ROUTE_NOT_FOUND as problem+json and the request id', async (method, path) => {
    const answer = await call(`${stack.service.url}${path}`, { method, headers: { 'x-request-id': 'lost-1' } });

    expect(answer.status).toBe(404);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.headers.get('x-request-id')).toBe('lost-1');
    expect(answer.body).toEqual({
      type: 'about:blank',
      title: expect.any(String),
      status: 404,
      detail: expect.any(String),
      code: 'ROUTE_NOT_FOUND',
      requestId: 'lost-1',
      retryable: false,
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
