import { API_KEY } from '../app.factory';
import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { call, createSession, problem, uploadContainer } from './http';
import { folderCalls } from './liveness.helpers';
import { ensureBuilt, logLines, type RunningService, spawnService } from './ops.helpers';
import { redisCompanions, waitUntil } from './webhooks.helpers';

jest.setTimeout(60_000);

beforeAll(() => ensureBuilt());

/** A lease is OZ_TIMEOUT_MS + 10 s: the shortest deadline keeps the wait for a dead replica's lease short. */
const OZ_TIMEOUT_MS = 1_000;
const SHUTDOWN_TIMEOUT_MS = 3_000;
/** Past SHUTDOWN_TIMEOUT_MS by this much, the test kills the process: exiting first is the proof. */
const GRACE_MARGIN_MS = 4_000;

/** Contract §18, with the built service in processes of its own on a real Redis. */
describe('faults without blame', () => {
  let redis: RedisServer;
  let emulator: OzEmulator;
  let receiver: WebhookReceiver;
  const running: RunningService[] = [];

  const environment = (extra: Record<string, string> = {}) => ({
    OZ_API_URL: emulator.url,
    REDIS_URL: redis.url,
    ...companions,
    INTERNAL_API_KEYS: API_KEY,
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: receiver.secret,
    WEBHOOK_BACKOFF_MS: '200',
    OZ_TIMEOUT_MS: String(OZ_TIMEOUT_MS),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    ...extra,
  });
  const companions = redisCompanions();
  const replica = async (extra: Record<string, string> = {}) => {
    const service = await spawnService(environment(extra));
    running.push(service);
    return service;
  };

  beforeAll(async () => {
    [redis, emulator, receiver] = await Promise.all([startRedisServer(), startOzEmulator(), startWebhookReceiver()]);
  });
  afterEach(async () => {
    redis.thaw();
    receiver.answer(() => ({ status: 204 }));
    await Promise.all(running.splice(0).map((service) => service.stop('SIGKILL')));
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), emulator?.close(), receiver?.close()]);
  });

  it('answers 410 NEW_CAPTURE_REQUIRED, with Retry-After on the 409s before, when a replica died during its Oz call', async () => {
    const [first, second] = await Promise.all([replica(), replica()]);
    const { sessionId, sessionToken } = await createSession(first.url);
    // Oz takes the token as the container arrives, and would answer long after the replica is gone.
    const container = buildContainer({ token: sessionToken, scenario: 'fault-delay', delayMs: 30_000, mediaBytes: 2048 });
    void uploadContainer(first.url, sessionId, container).catch(() => undefined);
    await waitUntil(() => folderCalls(emulator).length === 1, 'the upload reached Oz');
    expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });

    const inProgress = await uploadContainer(second.url, sessionId, container);
    expect(inProgress.status).toBe(409);
    expect(inProgress.body).toEqual(problem(409, 'SESSION_IN_PROGRESS', { retryable: true }));
    const retryAfter = Number(inProgress.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual((OZ_TIMEOUT_MS + 10_000) / 1000);

    // Retried as a client would, each time after the Retry-After it was given, until the lease ended.
    let retry = inProgress;
    while (retry.status === 409) {
      await new Promise((resolve) => setTimeout(resolve, Number(retry.headers.get('retry-after')) * 1000));
      retry = await uploadContainer(second.url, sessionId, container);
    }

    expect(retry.status).toBe(410);
    expect(retry.body).toEqual(problem(410, 'NEW_CAPTURE_REQUIRED', { retryable: false, ozErrorCode: 14 }));
    expect(folderCalls(emulator)).toHaveLength(2);
    const failed = () =>
      receiver.deliveries().find((request) => request.payload?.type === 'verification.failed' && request.payload.data.sessionId === sessionId);
    await waitUntil(() => failed() !== undefined, 'the verification.failed event was delivered');
    expect(failed()?.payload).toMatchObject({ data: { sessionId, decision: null, error: { code: 'NEW_CAPTURE_REQUIRED', ozErrorCode: 14 } } });
  });

  it('exits 0 within SHUTDOWN_TIMEOUT_MS of SIGTERM while Redis is frozen, webhooks configured', async () => {
    const service = await replica();
    expect((await createSession(service.url)).sessionId).toEqual(expect.any(String));
    redis.freeze();

    const exit = await service.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + GRACE_MARGIN_MS);

    expect(exit).toMatchObject({ code: 0, signal: null });
  });

  it('exits 0 within SHUTDOWN_TIMEOUT_MS of SIGTERM while the webhook receiver never answers', async () => {
    receiver.answer(() => ({ status: 204, delayMs: 600_000 }));
    const service = await replica({ WEBHOOK_TIMEOUT_MS: '60000' });
    const before = receiver.requests().length;
    const { sessionId, sessionToken } = await createSession(service.url);
    expect((await uploadContainer(service.url, sessionId, buildContainer({ token: sessionToken, mediaBytes: 2048 }))).status).toBe(201);
    await receiver.waitForRequests(before + 1);

    const exit = await service.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + GRACE_MARGIN_MS);

    expect(exit).toMatchObject({ code: 0, signal: null });
    const lines = logLines(service.output()).map((line) => line.msg);
    expect(lines).toContainEqual(expect.stringContaining('did not finish within SHUTDOWN_TIMEOUT_MS'));
  });

  it('stays unready while Redis has not answered since the start, and becomes ready once it does', async () => {
    redis.freeze();
    const service = await replica();

    const ready = await call(`${service.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'error', error: { store: { status: 'down', message: 'the session store has not answered since the start' } } });

    redis.thaw();
    let status = ready.status;
    while (status === 503) status = (await call(`${service.url}/health/ready`)).status;
    expect(status).toBe(200);
  });

  it('stays ready while Redis is frozen once it answered, and answers 503 STORE_UNAVAILABLE itself', async () => {
    const service = await replica();
    redis.freeze();

    const [ready, created] = await Promise.all([call(`${service.url}/health/ready`), call(`${service.url}/v1/sessions`, { method: 'POST' })]);

    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { store: { status: 'up', state: 'unreachable' } } });
    expect(created.status).toBe(503);
    expect(created.body).toEqual(problem(503, 'STORE_UNAVAILABLE', { retryable: true }));
    expect(created.headers.get('retry-after')).toBe('1');
  });
});
