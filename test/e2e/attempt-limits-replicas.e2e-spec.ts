import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { redisCommand } from '../support/redis-wire';
import { sharedStateEnv } from '../support/replica-env';
import { problem, uploadContainer } from './http';
import { livenessHead, rawExchange } from './liveness.helpers';
import { type RunningService, spawnService } from './ops.helpers';
import { AS_COMPANY, attempt, openSession, postSession, subjectAttempts } from './subjects.helpers';

jest.setTimeout(60_000);

const API_KEY = 'test-internal-key';
const LIMIT = 3;
const exhausted = problem(429, 'ATTEMPTS_EXHAUSTED', { retryable: true });

/**
 * Contract §14 with real processes: two built services (dist/main.js) on one real redis-server.
 * A vouched subject's failures are counted by the deployment, not by a replica.
 */
describe('attempt limits over two replicas on one Redis', () => {
  let redis: RedisServer;
  let emulator: OzEmulator;
  let a: RunningService;
  let b: RunningService;
  let count = 0;
  const fresh = () => `replicated-${++count}`;
  const replica = () => spawnService(sharedStateEnv(redis.url, { OZ_API_URL: emulator.url, INTERNAL_API_KEYS: API_KEY, ATTEMPT_LIMIT: String(LIMIT) }));

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = await startOzEmulator();
    [a, b] = await Promise.all([replica(), replica()]);
  });
  afterAll(async () => {
    await Promise.all([a, b].map((service) => service?.stop()));
    await emulator?.close();
    await redis?.stop();
  });

  it('counts failures recorded at once on both replicas, each of them, and locks the subject on both', async () => {
    const subjectId = fresh();
    const sessions = await Promise.all([a, b, a, b].map((service) => openSession(service.url, subjectId)));

    const uploads = await Promise.all(
      sessions.map(({ sessionId, sessionToken }, i) =>
        uploadContainer([a, b][i % 2].url, sessionId, buildContainer({ token: sessionToken, scenario: 'spoof', mediaBytes: 1024 })),
      ),
    );

    expect(uploads.map((upload) => [upload.status, upload.body.decision])).toEqual(Array(4).fill([201, 'rejected']));
    expect(uploads.map((upload) => upload.body.attemptsRemaining).every((remaining) => remaining >= 0 && remaining < LIMIT)).toBe(true);
    expect((await subjectAttempts(b.url, subjectId)).body).toMatchObject({ subjectId, failures: 4, limit: LIMIT, lockedUntil: expect.any(String) });
    for (const service of [a, b]) {
      const refused = await postSession(service.url, AS_COMPANY, { subjectId });
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(exhausted);
    }
  });

  it('refuses an upload on one replica, before its body is read, for a subject locked through the other', async () => {
    const subjectId = fresh();
    const { sessionId } = await openSession(b.url, subjectId);
    for (let i = 0; i < LIMIT; i++) expect((await attempt(a.url, subjectId, 'spoof')).status).toBe(201);

    const answer = await rawExchange(
      b.url,
      livenessHead(b.url, sessionId, { 'content-type': 'application/octet-stream', 'content-length': String(4 * 1024 * 1024) }),
    );

    expect(answer.status).toBe(429);
    expect(answer.body).toEqual(exhausted);
  });

  it('unlocks on every replica once DELETE forgot the failures on one', async () => {
    const subjectId = fresh();
    for (let i = 0; i < LIMIT; i++) await attempt(i % 2 === 0 ? a.url : b.url, subjectId, 'spoof');
    expect((await postSession(a.url, AS_COMPANY, { subjectId })).status).toBe(429);

    expect((await subjectAttempts(b.url, subjectId, 'DELETE')).status).toBe(204);

    expect((await postSession(a.url, AS_COMPANY, { subjectId })).status).toBe(201);
    expect((await subjectAttempts(a.url, subjectId)).body).toMatchObject({ failures: 0, lockedUntil: null });
  });

  it('gives an attacker who cycles subjectId nothing against a vouched subject: anonymous failures never count', async () => {
    const subjectId = fresh();
    const names = [subjectId, `${subjectId}.`, `${subjectId}-x`, subjectId.toUpperCase()];

    const anonymous = await Promise.all(names.map((name, i) => attempt([a, b][i % 2].url, name, 'spoof', {})));

    expect(anonymous.map((answer) => [answer.status, answer.body.attemptsRemaining])).toEqual(Array(4).fill([201, null]));
    for (const name of names) expect((await subjectAttempts(a.url, name)).body.failures).toBe(0);
    const vouched = await attempt(b.url, subjectId, 'spoof');
    expect(vouched.body.attemptsRemaining).toBe(LIMIT - 1);
  });
});

/** The window ending in real time, on a real Redis: the lock ends and Redis forgets the subject on its own. */
describe('a short attempt window on Redis', () => {
  const WINDOW_SECONDS = 2;
  let redis: RedisServer;
  let emulator: OzEmulator;
  let service: RunningService;

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = await startOzEmulator();
    service = await spawnService(
      sharedStateEnv(redis.url, { OZ_API_URL: emulator.url, INTERNAL_API_KEYS: API_KEY, ATTEMPT_LIMIT: '1', ATTEMPT_WINDOW_SECONDS: String(WINDOW_SECONDS) }),
    );
  });
  afterAll(async () => {
    await service?.stop();
    await emulator?.close();
    await redis?.stop();
  });

  it('unlocks the subject once its failure left the window, and keeps nothing of it in Redis after', async () => {
    const subjectId = 'short-window-subject';
    expect((await attempt(service.url, subjectId, 'spoof')).body.attemptsRemaining).toBe(0);
    const refused = await postSession(service.url, AS_COMPANY, { subjectId });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(WINDOW_SECONDS);

    let status = refused.status;
    while (status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await postSession(service.url, AS_COMPANY, { subjectId })).status;
    }

    expect(status).toBe(201);
    expect((await subjectAttempts(service.url, subjectId)).body).toMatchObject({ failures: 0, lockedUntil: null });
    let keys = await redisCommand(redis.port, 'KEYS *attempts:*');
    while (keys.startsWith('*') && !keys.startsWith('*0')) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      keys = await redisCommand(redis.port, 'KEYS *attempts:*');
    }
    expect(keys.trim()).toBe('*0');
  });
});
