import { Redis } from 'ioredis';
import { API_KEY } from '../app.factory';
import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { call, createSession, uploadContainer } from './http';
import { ensureBuilt, logLines, type RunningService, spawnService } from './ops.helpers';
import { redisCompanions, sleep, waitUntil } from './webhooks.helpers';

jest.setTimeout(60_000);

beforeAll(() => ensureBuilt());

const GIVE_UP_LINE = 'webhook event given up';

/** A session on `service` that took one live container; the container, for replays. */
async function completedSession(service: RunningService): Promise<{ sessionId: string; container: Buffer }> {
  const { sessionId, sessionToken } = await createSession(service.url);
  const container = buildContainer({ token: sessionToken, mediaBytes: 2048 });
  const upload = await uploadContainer(service.url, sessionId, container);
  expect(upload.status).toBe(201);
  return { sessionId, container };
}

const sessionOf = (request: ReceivedRequest): string => request.payload?.data?.sessionId;

/** The give-up lines of a service's log (pino JSON lines). */
const giveUpLines = (service: RunningService) => logLines(service.output()).filter((line) => line.msg === GIVE_UP_LINE);

/**
 * Two replicas for the whole sequence, as starting the built service takes seconds: first both
 * take jobs; then the first is killed, and at last the second is stopped.
 */
describe('webhooks across two replicas of the built service on one Redis', () => {
  let redis: RedisServer;
  let admin: Redis;
  let emulator: OzEmulator;
  let receiver: WebhookReceiver;
  let first: RunningService;
  let second: RunningService;
  const requestsOf = (sessionId: string) => receiver.requests().filter((request) => sessionOf(request) === sessionId);

  beforeAll(async () => {
    [redis, emulator, receiver] = await Promise.all([startRedisServer(), startOzEmulator(), startWebhookReceiver()]);
    admin = new Redis(redis.url);
    const env = {
      OZ_API_URL: emulator.url,
      REDIS_URL: redis.url,
      ...redisCompanions(),
      INTERNAL_API_KEYS: API_KEY,
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: receiver.secret,
      WEBHOOK_BACKOFF_MS: '200',
      WEBHOOK_MAX_ATTEMPTS: '3',
      LOG_LEVEL: 'warn',
    };
    [first, second] = await Promise.all([spawnService(env), spawnService(env)]);
  });
  afterEach(() => expect(receiver.requests().filter((request) => request.verificationError !== null)).toEqual([]));
  afterAll(async () => {
    await Promise.all([first?.stop('SIGKILL'), second?.stop('SIGKILL')]);
    admin?.disconnect();
    await Promise.all([redis?.stop(), emulator?.close(), receiver?.close()]);
  });

  it('delivers each event exactly once with two replicas taking jobs, also when replays reach the other replica', async () => {
    const replicas = [first, second];
    // Slow answers keep both replicas' workers busy at once.
    receiver.answer(() => ({ status: 204, delayMs: 150 }));

    const sessions = await Promise.all(Array.from({ length: 8 }, (_, index) => completedSession(replicas[index % 2])));
    await waitUntil(() => receiver.deliveries().length >= 8, 'eight deliveries');
    const replays = await Promise.all(sessions.map(({ sessionId, container }, index) => uploadContainer(replicas[(index + 1) % 2].url, sessionId, container)));
    expect(replays.map((replay) => replay.status)).toEqual(sessions.map(() => 200));
    await sleep(1_000);

    const requests = receiver.requests();
    expect(requests.map(sessionOf).sort()).toEqual(sessions.map((session) => session.sessionId).sort());
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(8);
    expect(requests.every((request) => request.answered)).toBe(true);
  });

  it('writes one give-up line in all, on whichever replica made the last attempt, after WEBHOOK_MAX_ATTEMPTS', async () => {
    receiver.answer(() => ({ status: 500 }));

    const { sessionId } = await completedSession(first);
    await waitUntil(() => [first, second].some((replica) => giveUpLines(replica).length > 0), 'a give-up line');
    await sleep(500);

    const attempts = requestsOf(sessionId);
    expect(attempts).toHaveLength(3);
    const lines = [first, second].flatMap(giveUpLines);
    expect(lines).toEqual([expect.objectContaining({ level: 40, eventId: attempts[0].headers['webhook-id'], eventType: 'verification.completed' })]);
    // Ids and type: never the body, nor anything of it but the event id.
    const output = [first, second].map((replica) => replica.output()).join('\n');
    expect(output).not.toContain(attempts[0].body);
    expect(output).not.toContain('"data"');
  });

  it('delivers from the other replica when the one that recorded the result is killed (SIGKILL) before it delivered', async () => {
    receiver.answer(() => ({ status: 503 }));

    const { sessionId } = await completedSession(first);
    await waitUntil(() => requestsOf(sessionId).length === 1, 'the first attempt');
    // The refused attempt is over and the event waits in Redis for its retry: now its recorder dies.
    for (let waited = 0; (await admin.zcard('ozlv:{webhooks}:deliveries:delayed')) === 0; waited += 10) {
      if (waited > 5_000) throw new Error('the event never waited for a retry');
      await sleep(10);
    }
    expect(await first.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
    receiver.answer(() => ({ status: 204 }));

    await waitUntil(() => requestsOf(sessionId).length === 2, 'the retry');

    const attempts = requestsOf(sessionId);
    expect(attempts.map((request) => [request.status, request.answered])).toEqual([
      [503, true],
      [204, true],
    ]);
    expect(new Set(attempts.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect((await call(`${second.url}/health/ready`)).status).toBe(200);
  });

  it('exits 0 on SIGTERM with its queue and worker running', async () => {
    const exit = await second.stop('SIGTERM');

    expect(exit).toEqual({ code: 0, signal: null, elapsedMs: expect.any(Number) });
    expect(exit.elapsedMs).toBeLessThan(5_000);
  });
});

describe('the give-up line without Redis (the built service)', () => {
  it('is one warning with the event id, type and session, never the body', async () => {
    const [emulator, receiver] = await Promise.all([startOzEmulator(), startWebhookReceiver()]);
    receiver.answer(() => ({ status: 500 }));
    const service = await spawnService({
      OZ_API_URL: emulator.url,
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: receiver.secret,
      WEBHOOK_BACKOFF_MS: '50',
      WEBHOOK_MAX_ATTEMPTS: '2',
      LOG_LEVEL: 'info',
    });
    try {
      const { sessionId } = await completedSession(service);
      await waitUntil(() => giveUpLines(service).length > 0, 'a give-up line');
      await sleep(500);

      const [first, second] = receiver.requests();
      expect(receiver.requests()).toHaveLength(2);
      expect(giveUpLines(service)).toEqual([
        {
          level: 40,
          time: expect.any(Number),
          pid: expect.any(Number),
          hostname: expect.any(String),
          context: 'Webhooks',
          eventId: first.headers['webhook-id'],
          eventType: 'verification.completed',
          sessionId,
          why: '2 attempts failed, the last with HTTP 500',
          msg: GIVE_UP_LINE,
        },
      ]);
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(service.output()).not.toContain(first.body);
    } finally {
      await service.stop();
      await Promise.all([emulator.close(), receiver.close()]);
    }
  });
});
