import { Redis } from 'ioredis';
import { startApp } from '../app.factory';
import { buildContainer, buildReferenceImage, startOzEmulator } from '../oz-emulator';
import { startRedisCluster, startRedisServer, type RedisServer } from '../support/redis-server';
import { startWebhookReceiver } from '../support/webhook-receiver';
import { createSession, uploadContainer } from './http';
import { analysedSession, expectProblem, matchFaces, referenceForm } from './internal.helpers';
import { jwtSecretParts, occurrences } from './ops.helpers';
import { attempt, subjectAttempts } from './subjects.helpers';
import { redisCompanions, secondsOf, startWebhookStack, waitUntil, type WebhookStack } from './webhooks.helpers';

const PREFIX = 'acme-lv:';
const QUEUE_KEYS = 'acme-lv:{webhooks}:';
/** Of the service's own keys, those that are not the queue's: sessions (`{<uuid>}`), rate counters, attempts and the review queue (`{reviews}`). */
const OWN_KEYS = [`~${PREFIX}{[0-9a-f]*`, `~${PREFIX}rate:*`, `~${PREFIX}attempts:*`, `~${PREFIX}{reviews}:*`];
/** Every key of the webhook queue, with what it holds, as text (for searching). */
async function queueContents(admin: Redis): Promise<Record<string, string>> {
  const keys = await admin.keys(`${QUEUE_KEYS.replace(/[{}]/g, '\\$&')}*`);
  const contents: Record<string, string> = {};
  for (const key of keys) {
    const type = await admin.type(key);
    const read: Record<string, () => Promise<unknown>> = {
      string: () => admin.get(key),
      hash: () => admin.hgetall(key),
      list: () => admin.lrange(key, 0, -1),
      set: () => admin.smembers(key),
      zset: () => admin.zrange(key, 0, -1),
      stream: () => admin.xrange(key, '-', '+'),
    };
    contents[key] = JSON.stringify(await (read[type] ?? (async () => type))());
  }
  return contents;
}

describe('webhooks with Redis (BullMQ on the shared Redis)', () => {
  let redis: RedisServer;
  let admin: Redis;
  let hooks: WebhookStack;

  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url);
    // The service's Redis user may touch its own keys, and of the queue's every key but the jobs' (evt_…): see the refusal test.
    await admin.call(
      'ACL',
      'SETUSER',
      'service',
      'on',
      '>service-pass',
      ...OWN_KEYS,
      `~${QUEUE_KEYS}deliveries:[a-df-z]*`,
      `~${QUEUE_KEYS}deliveries:events`,
      '&*',
      '+@all',
    );
    await admin.call('ACL', 'SETUSER', 'service', `~${QUEUE_KEYS}*`);
    const url = `redis://service:service-pass@127.0.0.1:${redis.port}`;
    hooks = await startWebhookStack({ REDIS_URL: url, REDIS_KEY_PREFIX: PREFIX, WEBHOOK_BACKOFF_MS: '400', ATTEMPT_LIMIT: '1', ...redisCompanions() });
  });
  afterAll(async () => {
    await hooks?.close();
    admin?.disconnect();
    await redis?.stop();
  });
  beforeEach(() => hooks.receiver.answer(() => ({ status: 204 })));
  afterEach(() => expect(hooks.receiver.requests().filter((request) => request.verificationError !== null)).toEqual([]));

  const url = () => hooks.stack.service.url;
  const requestsOf = (sessionId: string) => hooks.receiver.requests().filter((request) => request.payload?.data?.sessionId === sessionId);
  const deliveriesOf = (sessionId: string) => requestsOf(sessionId).filter((request) => request.answered && request.status === 204);

  it('delivers each of the three events through the queue in Redis, under one Cluster hash tag built from REDIS_KEY_PREFIX', async () => {
    const { sessionId, upload } = await analysedSession(url(), { person: 'redis-hook', subjectId: 'subject-redis' });
    expect((await matchFaces(url(), sessionId, referenceForm(buildReferenceImage('redis-hook')))).status).toBe(201);
    const failed = await createSession(url());
    expect((await uploadContainer(url(), failed.sessionId, buildContainer({ token: failed.sessionToken, scenario: 'no-payload' }))).status).toBe(422);

    await waitUntil(() => deliveriesOf(sessionId).length === 2 && deliveriesOf(failed.sessionId).length === 1, 'three deliveries');

    expect(deliveriesOf(sessionId).map((request) => request.payload)).toEqual([
      expect.objectContaining({ type: 'verification.completed', data: expect.objectContaining({ decision: 'accepted', folderId: upload.body.folderId }) }),
      expect.objectContaining({ type: 'biometry.completed', data: expect.objectContaining({ decision: 'accepted', reason: 'FACE_MATCHED' }) }),
    ]);
    expect(deliveriesOf(failed.sessionId)[0].payload).toMatchObject({
      type: 'verification.failed',
      data: { error: { code: 'CONTAINER_PAYLOAD_MISSING', ozErrorCode: 3 } },
    });
    const keys = await admin.keys('*');
    expect(keys.filter((key) => !key.startsWith(PREFIX))).toEqual([]);
    const eventIds = [...deliveriesOf(sessionId), ...deliveriesOf(failed.sessionId)].map((request) => request.headers['webhook-id']);
    for (const id of eventIds) expect(keys).toContain(`${QUEUE_KEYS}deliveries:${id}`);
    // What the queue keeps in Redis: ids and decisions, never a token.
    const stored = Object.values(await queueContents(admin)).join('\n');
    expect(occurrences(stored, { 'session token': jwtSecretParts(failed.sessionToken) })).toEqual([]);
    expect(stored).not.toMatch(/score|similarity|image|token|receipt/i);
  });

  it('delivers subject.locked through the queue when a vouched subject becomes locked (docs/api.md §14)', async () => {
    const subjectId = 'subject-locked-redis';
    const failed = await attempt(url(), subjectId, 'spoof');
    expect(failed.body).toMatchObject({ decision: 'rejected', attemptsRemaining: 0 });
    const lockedOf = () => hooks.receiver.requests().filter((request) => request.payload?.type === 'subject.locked' && request.answered);

    await waitUntil(() => lockedOf().length === 1, 'the subject.locked delivery');

    const { lockedUntil } = (await subjectAttempts(url(), subjectId)).body;
    expect(lockedOf()[0].payload).toEqual({ type: 'subject.locked', timestamp: failed.body.completedAt, data: { subjectId, failures: 1, lockedUntil } });
    expect(await admin.keys(`${QUEUE_KEYS.replace(/[{}]/g, '\\$&')}deliveries:${lockedOf()[0].headers['webhook-id']}`)).toHaveLength(1);
  });

  it('retries an event answered 500 on the BullMQ schedule: WEBHOOK_BACKOFF_MS, then 4× longer, same webhook-id, new timestamp', async () => {
    hooks.receiver.answer((request) => ({ status: requestsOf(request.payload.data.sessionId).length < 2 ? 500 : 204 }));

    const { sessionId } = await analysedSession(url());
    await waitUntil(() => deliveriesOf(sessionId).length === 1, 'the delivery after two refusals');

    const attempts = requestsOf(sessionId);
    expect(attempts.map((request) => request.status)).toEqual([500, 500, 204]);
    expect(new Set(attempts.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(new Set(attempts.map((request) => request.body)).size).toBe(1);
    expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(400);
    expect(attempts[2].receivedAt - attempts[1].receivedAt).toBeGreaterThanOrEqual(1_600);
    expect(secondsOf(attempts[2].headers['webhook-timestamp'])).toBeGreaterThan(secondsOf(attempts[0].headers['webhook-timestamp']));
  });

  it('answers 503 STORE_UNAVAILABLE when Redis refuses the enqueue, and delivers the event under its original id once a retry replays the upload', async () => {
    const { sessionId, sessionToken } = await createSession(url());
    const container = buildContainer({ token: sessionToken });
    await admin.call('ACL', 'SETUSER', 'service', 'resetkeys', ...OWN_KEYS, `~${QUEUE_KEYS}deliveries:[a-df-z]*`, `~${QUEUE_KEYS}deliveries:events`);
    try {
      const refused = await uploadContainer(url(), sessionId, container);
      const replayRefused = await uploadContainer(url(), sessionId, container);

      expectProblem(refused, 503, 'STORE_UNAVAILABLE', { retryable: true });
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expectProblem(replayRefused, 503, 'STORE_UNAVAILABLE');
    } finally {
      await admin.call('ACL', 'SETUSER', 'service', `~${QUEUE_KEYS}*`);
    }
    const replay = await uploadContainer(url(), sessionId, container);
    const again = await uploadContainer(url(), sessionId, container);
    await waitUntil(() => deliveriesOf(sessionId).length === 1, 'the delivery of the replayed outcome');

    expect(replay.status).toBe(200);
    expect(again.bytes).toEqual(replay.bytes);
    // The id recorded with the result during the refused request.
    const stored = JSON.parse((await admin.hget(`${PREFIX}{${sessionId}}:session`, 'result')) ?? 'null');
    const [delivery] = deliveriesOf(sessionId);
    expect(delivery.payload).toMatchObject({ type: 'verification.completed', timestamp: replay.body.completedAt, data: { sessionId, decision: 'accepted' } });
    expect(delivery.headers['webhook-id']).toBe(stored.liveness.eventId);
    expect(requestsOf(sessionId)).toHaveLength(1);
  });
});

describe('webhooks on a Redis Cluster', () => {
  it('delivers through a queue whose keys all live in one slot (REDIS_CLUSTER=true)', async () => {
    const cluster = await startRedisCluster();
    const hooks = await startWebhookStack({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true', ...redisCompanions() });
    try {
      const { sessionId, upload } = await analysedSession(hooks.stack.service.url);
      expect(upload.status).toBe(201);

      const [delivery] = await hooks.receiver.waitForDeliveries(1);

      expect(delivery.payload).toMatchObject({ type: 'verification.completed', data: { sessionId } });
    } finally {
      await hooks.close();
      await cluster.stop();
    }
  }, 30_000);
});

describe('webhooks with Redis when WEBHOOK_URL is unset', () => {
  it('makes no queue connection and writes no queue key', async () => {
    const redis = await startRedisServer();
    const admin = new Redis(redis.url);
    const emulator = await startOzEmulator();
    const receiver = await startWebhookReceiver();
    const service = await startApp({ OZ_API_URL: emulator.url, REDIS_URL: redis.url, ...redisCompanions() });
    try {
      const { upload } = await analysedSession(service.url);
      expect(upload.status).toBe(201);

      const clients = String(await admin.client('LIST'))
        .trim()
        .split('\n')
        .filter((line) => !line.includes('cmd=client|list'));
      // The one shared connection of the session store; a queue would add a producer and a worker's two.
      expect(clients).toHaveLength(1);
      expect((await admin.keys('*')).filter((key) => key.startsWith('{'))).toEqual([]);
      expect(receiver.requests()).toEqual([]);
    } finally {
      await service.close();
      await receiver.close();
      await emulator.close();
      admin.disconnect();
      await redis.stop();
    }
  });
});
