import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { sharedStateEnv } from '../support/replica-env';
import { call, createSession, internal, problem, uploadContainer } from './http';
import { folderCalls, foldersCalled, viewSession } from './liveness.helpers';
import { type RunningService, spawnService } from './ops.helpers';

jest.setTimeout(60_000);

const API_KEY = 'test-internal-key';
/** Short enough that a lease (OZ_TIMEOUT_MS + 10 s) runs out within the test. */
const OZ_TIMEOUT_MS = 1_500;

/**
 * Contract §7 with real processes: two built services (dist/main.js) on one real redis-server
 * and the Oz emulator. Any replica serves any call of any session, and nothing answered is lost.
 */
describe('two replicas on one Redis', () => {
  let redis: RedisServer;
  let emulator: OzEmulator;
  let a: RunningService;
  let b: RunningService;
  const replica = () => spawnService(sharedStateEnv(redis.url, { OZ_API_URL: emulator.url, INTERNAL_API_KEYS: API_KEY, OZ_TIMEOUT_MS: String(OZ_TIMEOUT_MS) }));

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = await startOzEmulator();
    [a, b] = await Promise.all([replica(), replica()]);
  });
  afterAll(async () => {
    await Promise.all([a, b].map((service) => service.stop()));
    await emulator.close();
    await redis.stop();
  });
  beforeEach(() => emulator.clearRequests());

  it('serves a session created on one replica, uploaded on the other and read on the first', async () => {
    const { sessionId, sessionToken } = await createSession(a.url, { subjectId: 'replica-subject' });

    const upload = await uploadContainer(b.url, sessionId, buildContainer({ token: sessionToken }));
    const view = await viewSession(a.url, sessionId);

    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ sessionId, decision: 'accepted', reason: 'LIVENESS_PASSED' });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      sessionId,
      subjectId: 'replica-subject',
      status: 'completed',
      result: { decision: 'accepted', bestShotAvailable: true },
    });
    const bestShot = await call(`${a.url}/v1/sessions/${sessionId}/best-shot`, { headers: internal() });
    expect(bestShot.status).toBe(200);
    expect(bestShot.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  });

  it('makes one Oz call for two simultaneous uploads of one session on two replicas: one 201, one 409', async () => {
    const { sessionId, sessionToken } = await createSession(a.url);
    const container = buildContainer({ token: sessionToken, scenario: 'fault-delay', delayMs: 600 });

    const answers = await Promise.all([uploadContainer(a.url, sessionId, container), uploadContainer(b.url, sessionId, container)]);

    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body).toEqual(problem(409, 'SESSION_IN_PROGRESS', { retryable: true }));
    expect(folderCalls(emulator)).toHaveLength(1);
    const replay = await uploadContainer(b.url, sessionId, container);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(answers.find((answer) => answer.status === 201)?.body);
  });

  it('keeps what a replica answered when it is killed right after its 201: the other one serves it, and so does its restart', async () => {
    const victim = await replica();
    const { sessionId, sessionToken } = await createSession(victim.url);
    const container = buildContainer({ token: sessionToken });
    const first = await uploadContainer(victim.url, sessionId, container);
    expect(first.status).toBe(201);

    await victim.stop('SIGKILL');

    const view = await viewSession(b.url, sessionId);
    expect(view.body).toMatchObject({ status: 'completed', result: { decision: 'accepted', receipt: first.body.receipt } });
    const replay = await uploadContainer(b.url, sessionId, container);
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const restarted = await replica();
    try {
      expect((await viewSession(restarted.url, sessionId)).body).toMatchObject({ status: 'completed', result: { receipt: first.body.receipt } });
    } finally {
      await restarted.stop();
    }
  });

  it('opens the session again within the lease when the replica that holds it dies during its Oz call', async () => {
    const victim = await replica();
    const { sessionId, sessionToken } = await createSession(victim.url);
    const slow = buildContainer({ token: sessionToken, scenario: 'fault-delay', delayMs: 30_000 });
    const pending = uploadContainer(victim.url, sessionId, slow).catch(() => null);
    await foldersCalled(emulator, 1, 5_000);
    expect((await viewSession(b.url, sessionId)).body.status).toBe('processing');
    const killedAt = Date.now();

    await victim.stop('SIGKILL');
    await pending;

    let status = 'processing';
    while (status === 'processing' && Date.now() - killedAt < OZ_TIMEOUT_MS + 12_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await viewSession(b.url, sessionId)).body.status;
    }
    expect(status).toBe('open');
    expect(Date.now() - killedAt).toBeLessThanOrEqual(OZ_TIMEOUT_MS + 11_000);
    // The session can be claimed again: the retry reaches Oz, which refuses the reused token (code 14),
    // and since the dead replica's call may have used it, the person is asked for a new capture (§18).
    const retry = await uploadContainer(b.url, sessionId, buildContainer({ token: sessionToken }));
    expect(retry.body).toEqual(problem(410, 'NEW_CAPTURE_REQUIRED', { ozErrorCode: 14, retryable: false }));
    expect(folderCalls(emulator)).toHaveLength(2);
  });
});
