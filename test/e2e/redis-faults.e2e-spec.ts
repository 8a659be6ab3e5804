import { type Stack, startStack } from '../app.factory';
import { buildContainer } from '../oz-emulator';
import { type RedisCluster, type RedisServer, startRedisCluster, startRedisServer } from '../support/redis-server';
import { sharedStateEnv } from '../support/replica-env';
import { call, createSession, internal, problem, uploadContainer } from './http';
import { viewSession } from './liveness.helpers';
import { scrape, valueOf } from './metrics.helpers';

jest.setTimeout(30_000);

/** Contract §7 and §18: Redis unreachable or slow → 503 STORE_UNAVAILABLE within 2 s, readiness and liveness 200, and back by itself. */
describe('the service when its Redis stops answering', () => {
  let redis: RedisServer;
  let stack: Stack;

  beforeAll(async () => {
    redis = await startRedisServer();
    stack = await startStack(sharedStateEnv(redis.url));
  });
  afterAll(async () => {
    redis.thaw();
    await stack.close();
    await redis.stop();
  });

  const timed = async <T>(work: Promise<T>) => {
    const started = Date.now();
    const value = await work;
    return { value, ms: Date.now() - started };
  };

  it('answers 503 STORE_UNAVAILABLE with Retry-After within 2 s while Redis is frozen, stays ready and live, and serves again once it is back', async () => {
    const { sessionId } = await createSession(stack.service.url);
    expect(valueOf(await scrape(stack.service.app), 'store_up')).toBe(1);
    redis.freeze();
    try {
      const ready = await timed(call(`${stack.service.url}/health/ready`));
      const view = await timed(viewSession(stack.service.url, sessionId));
      const created = await timed(call(`${stack.service.url}/v1/sessions`, { method: 'POST' }));
      const live = await call(`${stack.service.url}/health/live`);

      // §18: a store every replica shares must not empty the load balancer; the body and the metric say it.
      expect(ready.value.status).toBe(200);
      expect(ready.value.body).toMatchObject({ status: 'ok', info: { store: { status: 'up', state: 'unreachable' } } });
      expect(ready.ms).toBeLessThan(2_000);
      expect(valueOf(await scrape(stack.service.app), 'store_up')).toBe(0);
      for (const refused of [view, created]) {
        expect(refused.value.status).toBe(503);
        expect(refused.value.body).toEqual(problem(503, 'STORE_UNAVAILABLE', { retryable: true }));
        expect(refused.value.headers.get('retry-after')).toBe('1');
        expect(refused.ms).toBeLessThan(2_000);
      }
      expect(live.status).toBe(200);
    } finally {
      redis.thaw();
    }
    expect((await call(`${stack.service.url}/health/ready`)).body).toMatchObject({ status: 'ok', info: { store: { status: 'up' } } });
    expect(valueOf(await scrape(stack.service.app), 'store_up')).toBe(1);
    expect((await viewSession(stack.service.url, sessionId)).body).toMatchObject({ sessionId, status: 'open' });
  });

  it('answers 503 STORE_UNAVAILABLE to an upload while Redis is frozen, and takes the same upload once it is back', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);
    const container = buildContainer({ token: sessionToken });
    redis.freeze();
    let refused;
    try {
      refused = await timed(uploadContainer(stack.service.url, sessionId, container));
    } finally {
      redis.thaw();
    }

    expect(refused.value.body).toEqual(problem(503, 'STORE_UNAVAILABLE', { retryable: true }));
    expect(refused.ms).toBeLessThan(2_000);
    const retry = await uploadContainer(stack.service.url, sessionId, container);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ sessionId, decision: 'accepted' });
  });

  it('reconnects by itself to a Redis that restarted: the store answers again and sessions are created again', async () => {
    await redis.restart();

    let store: unknown = null;
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      const ready = await call(`${stack.service.url}/health/ready`);
      expect(ready.status).toBe(200);
      store = (ready.body as { info: { store: unknown } }).info.store;
      if (!(store as { state?: string }).state) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(store).toEqual({ status: 'up' });
    expect((await call(`${stack.service.url}/v1/sessions`, { method: 'POST' })).status).toBe(201);
  });
});

describe('the service on a three-node Redis Cluster', () => {
  let cluster: RedisCluster;
  let stack: Stack;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    stack = await startStack(sharedStateEnv(cluster.url, { REDIS_CLUSTER: 'true' }));
  }, 30_000);
  afterAll(async () => {
    await stack.close();
    await cluster.stop();
  });

  it('runs a whole flow: session, liveness, replay, view, best shot, face match', async () => {
    const url = stack.service.url;
    const { sessionId, sessionToken } = await createSession(url, { subjectId: 'cluster-subject' });
    const container = buildContainer({ token: sessionToken, person: 'person-1' });

    const first = await uploadContainer(url, sessionId, container);
    const replay = await uploadContainer(url, sessionId, container);
    const bestShot = await call(`${url}/v1/sessions/${sessionId}/best-shot`, { headers: internal() });
    const form = new FormData();
    form.append('reference', new Blob([bestShot.bytes], { type: 'image/jpeg' }), 'reference.jpg');
    const biometry = await call(`${url}/v1/sessions/${sessionId}/biometry`, { method: 'POST', headers: internal(), body: form });

    expect(first.status).toBe(201);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(bestShot.status).toBe(200);
    expect(biometry.status).toBe(201);
    expect(biometry.body).toMatchObject({
      sessionId,
      subjectId: 'cluster-subject',
      status: 'completed',
      result: { decision: 'accepted', reason: 'FACE_MATCHED' },
    });
    expect((await viewSession(url, sessionId)).body.result.receipt).toBe(biometry.body.result.receipt);
  });
});
