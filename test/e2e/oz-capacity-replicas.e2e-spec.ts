import { type OzEmulator, startOzEmulator } from '../oz-emulator';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { sharedStateEnv } from '../support/replica-env';
import { problem } from './http';
import { freePort, type RunningService, spawnService } from './ops.helpers';
import { send, slowUpload, startOrder, until, waitingAt } from './oz-capacity.helpers';

jest.setTimeout(60_000);

const CAPACITY = 2;
/** 200 a minute: starts at least 300 ms apart across the deployment. */
const PACE_MS = 300;
/** Long enough for the paced burst below (8 × PACE_MS) to be served without a timeout. */
const QUEUE_TIMEOUT_MS = 4_000;
/** Short, so that a slot held by a killed replica comes back (at OZ_TIMEOUT_MS + 10 s) within the test. */
const OZ_TIMEOUT_MS = 6_000;
/**
 * The emulator sees a call some time after Redis granted its start (a process, a socket, a loaded
 * machine between): the gap it sees may be that much shorter. Half the pace still tells paced
 * starts from unpaced ones, which come a few ms apart.
 */
const TRANSIT_SLACK_MS = PACE_MS / 2;

interface Replica {
  service: RunningService;
  metrics: string;
}

/**
 * Contract §13 with real processes: three built services (dist/main.js) on one redis-server in
 * front of the emulator, which counts the analysis calls it handles at once.
 */
describe('one Oz capacity for three replicas on one Redis (docs/api.md §13)', () => {
  let redis: RedisServer;
  let emulator: OzEmulator;
  let replicas: Replica[];

  async function replica(): Promise<Replica> {
    const metricsPort = await freePort();
    const env = sharedStateEnv(redis.url, {
      OZ_API_URL: emulator.url,
      OZ_TIMEOUT_MS: String(OZ_TIMEOUT_MS),
      OZ_CAPACITY: String(CAPACITY),
      OZ_ANALYSES_PER_MINUTE: String(60_000 / PACE_MS),
      OZ_QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
    });
    return { service: await spawnService(env), metrics: `http://127.0.0.1:${metricsPort}/metrics` };
  }

  /** Uploads, or waits for a slot, across these replicas now. */
  async function queuedOrCalled(among: Replica[]): Promise<number> {
    const waiting = await Promise.all(among.map((r) => waitingAt(r.metrics)));
    return waiting.reduce((sum, count) => sum + count, 0) + emulator.load().calls.length;
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = await startOzEmulator();
    replicas = await Promise.all([replica(), replica(), replica()]);
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((r) => r.service.stop()));
    await emulator?.close();
    await redis?.stop();
  });
  beforeEach(() => emulator.clearLoad());

  it('lets a burst over three replicas reach Oz at most OZ_CAPACITY at once, in arrival order, paced, and answers every upload', async () => {
    // Each analysis outlasts two paces, so that the capacity, not the pace alone, bounds the calls at once.
    const uploads = await Promise.all(Array.from({ length: 9 }, (_, i) => slowUpload(replicas[i % 3].service.url, 2 * PACE_MS + 100)));
    const answers = [];
    for (const [i, upload] of uploads.entries()) {
      answers.push(send(replicas[i % 3].service.url, upload));
      await until(() => queuedOrCalled(replicas), i + 1);
    }

    const statuses = (await Promise.all(answers)).map((answer) => answer.status);

    expect(statuses).toEqual(Array(9).fill(201));
    const load = emulator.load();
    expect(load.mostAtOnce).toBe(CAPACITY);
    expect(startOrder(emulator)).toEqual(uploads.map((upload) => upload.sha256));
    const gaps = load.calls.slice(1).map((call, i) => call.startedAt - load.calls[i].startedAt);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(PACE_MS - TRANSIT_SLACK_MS);
  });

  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After after OZ_QUEUE_TIMEOUT_MS on another replica, and the session is usable afterwards', async () => {
    const [a, b] = replicas;
    // Held past the queue timeout (and within OZ_TIMEOUT_MS), so that the late upload can only time out.
    const holders = await Promise.all([slowUpload(a.service.url, QUEUE_TIMEOUT_MS + 1_000), slowUpload(a.service.url, QUEUE_TIMEOUT_MS + 1_000)]);
    const late = await slowUpload(b.service.url, 0);
    const held = holders.map((upload) => send(a.service.url, upload));
    await until(() => emulator.load().inFlight, CAPACITY);

    const refused = await send(b.service.url, late);

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toEqual(problem(503, 'UPSTREAM_UNAVAILABLE', { retryable: true }));
    expect(startOrder(emulator)).toEqual(holders.map((upload) => upload.sha256));
    expect((await Promise.all(held)).map((answer) => answer.status)).toEqual([201, 201]);
    const retry = await send(replicas[2].service.url, late);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ sessionId: late.sessionId, decision: 'accepted' });
  });

  it('lets the waiters of a replica stopped with SIGTERM leave at once, and serves those behind them next', async () => {
    const [a, b] = replicas;
    const stopping = await replica();
    const holders = await Promise.all([slowUpload(a.service.url, 1_500), slowUpload(a.service.url, 1_500)]);
    const [gone, behind] = await Promise.all([slowUpload(stopping.service.url, 0), slowUpload(b.service.url, 0)]);
    const held = holders.map((upload) => send(a.service.url, upload));
    await until(() => emulator.load().inFlight, CAPACITY);
    const goneAnswer = send(stopping.service.url, gone);
    await until(() => waitingAt(stopping.metrics), 1);
    const behindAnswer = send(b.service.url, behind);
    await until(() => waitingAt(b.metrics), 1);

    const exit = stopping.service.stop('SIGTERM');
    const refused = await goneAnswer;

    // Answered while both holders were still with Oz: the place was given up, not waited out.
    expect(emulator.load().inFlight).toBe(CAPACITY);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual(problem(503, 'UPSTREAM_UNAVAILABLE'));
    await expect(exit).resolves.toMatchObject({ code: 0 });
    expect((await behindAnswer).status).toBe(201);
    await Promise.all(held);
    expect(startOrder(emulator)).toEqual([...holders, behind].map((upload) => upload.sha256));
  });

  it('gets back the slots of a replica killed with kill -9 mid-analysis at the end of their lease, never exceeding OZ_CAPACITY', async () => {
    const [a] = replicas;
    const doomed = await replica();
    const holders = await Promise.all([slowUpload(doomed.service.url, 3_500), slowUpload(doomed.service.url, 3_500)]);
    void holders.map((upload) => send(doomed.service.url, upload).catch(() => undefined));
    await until(() => emulator.load().inFlight, CAPACITY);
    await doomed.service.stop('SIGKILL');
    await until(() => emulator.load().inFlight, 0);
    const next = await slowUpload(a.service.url, 0);

    // The client retries as Retry-After says until the dead replica's leases (OZ_TIMEOUT_MS + 10 s) run out.
    const statuses: number[] = [];
    while (statuses.at(-1) !== 201 && statuses.length < 20) statuses.push((await send(a.service.url, next)).status);

    expect(statuses.at(-1)).toBe(201);
    expect(statuses.slice(0, -1).every((status) => status === 503)).toBe(true);
    expect(statuses.length).toBeGreaterThan(1);
    expect(emulator.load().mostAtOnce).toBe(CAPACITY);
  });

  it('answers 503 STORE_UNAVAILABLE while Redis is frozen, calls Oz for no waiter, and serves again once it is back', async () => {
    const [a, b, c] = replicas;
    const holders = await Promise.all([slowUpload(a.service.url, 1_500), slowUpload(a.service.url, 1_500)]);
    const waiter = await slowUpload(b.service.url, 0);
    const held = holders.map((upload) => send(a.service.url, upload));
    await until(() => emulator.load().inFlight, CAPACITY);
    const waiting = send(b.service.url, waiter);
    await until(() => waitingAt(b.metrics), 1);

    redis.freeze();
    let answers;
    try {
      answers = await Promise.all([waiting, ...held]);
    } finally {
      redis.thaw();
    }

    expect(answers.map((answer) => [answer.status, answer.body.code])).toEqual(Array(3).fill([503, 'STORE_UNAVAILABLE']));
    expect(startOrder(emulator)).toEqual(holders.map((upload) => upload.sha256));
    expect(emulator.load().mostAtOnce).toBe(CAPACITY);
    const fresh = await slowUpload(c.service.url, 0);
    await expect(send(c.service.url, fresh).then((answer) => [answer.status, answer.body.code])).resolves.toEqual([201, undefined]);
  });
});
