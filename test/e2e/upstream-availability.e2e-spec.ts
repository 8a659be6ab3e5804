import { startApp, startStack, type Stack, type TestApp } from '../app.factory';
import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { call, problem, uploadContainer } from './http';
import {
  folderCalls,
  foldersCalled,
  livenessHead,
  rawExchange,
  sessionWithContainer,
  startSwitchableProxy,
  type SwitchableProxy,
  track,
  viewSession,
} from './liveness.helpers';

describe('POST /v1/sessions/{sessionId}/liveness when Oz cannot be reached', () => {
  let emulator: OzEmulator;
  let proxy: SwitchableProxy;
  let service: TestApp;

  // The service reaches Oz through a proxy that can be switched off: sessions are made while Oz
  // answers, then nothing listens on the Oz port any more.
  beforeAll(async () => {
    emulator = await startOzEmulator();
    proxy = await startSwitchableProxy(emulator.url);
    service = await startApp({ OZ_API_URL: proxy.url });
  });
  afterAll(async () => {
    await service.close();
    await proxy.close();
    await emulator.close();
  });

  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After, and the session stays open for a retry', async () => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(service.url);
    await proxy.stop();

    const answer = await uploadContainer(service.url, sessionId, container);

    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toEqual(problem(503, 'UPSTREAM_UNAVAILABLE', { retryable: true }));
    expect(answer.body).not.toHaveProperty('ozErrorCode');
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await viewSession(service.url, sessionId)).body).toMatchObject({ status: 'open' });

    await proxy.start();
    const retry = await uploadContainer(service.url, sessionId, buildContainer({ token: sessionToken }));
    expect(retry.status).toBe(201);
  });
});

describe('OZ_ACCESS_TOKEN', () => {
  let emulator: OzEmulator;
  let service: TestApp | undefined;

  beforeAll(async () => {
    emulator = await startOzEmulator({ accessToken: 'oz-forensic-secret' });
  });
  afterEach(async () => {
    await service?.close();
    service = undefined;
    emulator.clearRequests();
  });
  afterAll(() => emulator.close());

  it('sends X-Forensic-Access-Token when configured, and the liveness call works', async () => {
    service = await startApp({ OZ_API_URL: emulator.url, OZ_ACCESS_TOKEN: 'oz-forensic-secret' });
    const { sessionId, container } = await sessionWithContainer(service.url);

    const answer = await uploadContainer(service.url, sessionId, container);

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ decision: 'accepted' });
    expect(folderCalls(emulator)).toEqual([expect.objectContaining({ headers: expect.objectContaining({ 'x-forensic-access-token': 'present' }) })]);
    expect(answer.bytes.toString('utf8')).not.toContain('oz-forensic-secret');
  });

  it('answers 502 UPSTREAM_ERROR not retryable with Oz code 6 when the service has no access token for an Oz that wants one', async () => {
    service = await startApp({ OZ_API_URL: emulator.url });

    const answer = await call(`${service.url}/v1/sessions`, { method: 'POST' });

    expect(answer.status).toBe(502);
    expect(answer.body).toEqual(problem(502, 'UPSTREAM_ERROR', { retryable: false, ozErrorCode: 6 }));
  });
});

describe('OZ_MAX_CONCURRENCY', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ OZ_MAX_CONCURRENCY: '1' });
  });
  afterAll(() => stack.close());

  it('answers 503 UPSTREAM_UNAVAILABLE at once while the one allowed analysis is in flight, and that session stays open', async () => {
    const slow = await sessionWithContainer(stack.service.url, { scenario: 'fault-delay', delayMs: 400 });
    const other = await sessionWithContainer(stack.service.url);
    const first = track(uploadContainer(stack.service.url, slow.sessionId, slow.container));
    await foldersCalled(stack.emulator);

    const refused = await uploadContainer(stack.service.url, other.sessionId, other.container);

    expect(first.settled()).toBe(false);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual(problem(503, 'UPSTREAM_UNAVAILABLE', { retryable: true }));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(folderCalls(stack.emulator)).toHaveLength(1);
    expect((await viewSession(stack.service.url, other.sessionId)).body).toMatchObject({ status: 'open' });

    expect((await first.promise).status).toBe(201);
    const later = await uploadContainer(stack.service.url, other.sessionId, other.container);
    expect(later.status).toBe(201);
  });

  it('refuses an upload with 503 and Connection: close before reading its body while the one analysis is in flight', async () => {
    const slow = await sessionWithContainer(stack.service.url, { scenario: 'fault-delay', delayMs: 400 });
    const other = await sessionWithContainer(stack.service.url);
    const first = track(uploadContainer(stack.service.url, slow.sessionId, slow.container));
    await foldersCalled(stack.emulator);

    // Headers promising 10 MB and no body at all: the answer can only come before reading it.
    const head = livenessHead(stack.service.url, other.sessionId, { 'content-type': 'application/octet-stream', 'content-length': String(10 * 1024 * 1024) });
    const refused = await rawExchange(stack.service.url, head);

    expect(refused.status).toBe(503);
    expect(refused.headers.connection).toBe('close');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.body).toEqual(problem(503, 'UPSTREAM_UNAVAILABLE', { retryable: true }));
    expect((await first.promise).status).toBe(201);
  });

  it.each(['fault-5xx', 'fault-reset'] as const)('frees the slot after an analysis that failed with %s, so the next upload reaches Oz', async (scenario) => {
    const failing = await sessionWithContainer(stack.service.url, { scenario });
    expect((await uploadContainer(stack.service.url, failing.sessionId, failing.container)).status).toBe(502);
    const next = await sessionWithContainer(stack.service.url);

    const answer = await uploadContainer(stack.service.url, next.sessionId, next.container);

    expect(answer.status).toBe(201);
  });
});
