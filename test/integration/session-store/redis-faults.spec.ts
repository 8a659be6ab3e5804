import { randomUUID } from 'node:crypto';
import type { RedisSessionStore } from '../../../src/session/redis-session.store';
import { type RedisServer, startRedisServer } from '../../support/redis-server';
import { isPortFree, redisCommand, waitFor } from '../../support/redis-wire';
import { BEST_SHOT, LEASE_MS, SHA_A, failure, lease, result, sessionAt } from './contract/fixtures';
import { type ConnectedStore, connectStore } from './redis-harness';
import { aYearAhead } from './session-store.contract';

const T0 = aYearAhead();
const at = (ms: number) => new Date(T0.getTime() + ms);
const STORE_UNAVAILABLE = {
  code: 'STORE_UNAVAILABLE',
  status: 503,
  retryable: true,
  retryAfterSeconds: 1,
  detail: 'The session store did not answer; retry shortly.',
};

/** Every method of the port that talks to Redis, each called once. */
function everyCall(store: RedisSessionStore): Array<Promise<unknown>> {
  const id = randomUUID();
  return [
    store.create(sessionAt(at(0))),
    store.get(id, at(1)),
    store.claimForUpload(id, SHA_A, at(1), lease(at(LEASE_MS))),
    store.release(id, randomUUID(), false),
    store.complete(id, randomUUID(), result(at(1)), BEST_SHOT),
    store.fail(id, randomUUID(), failure(at(1))),
    store.recordBiometry(id, result(at(1)), at(1)),
    store.getBestShot(id, at(1)),
    store.recordReview(id, 'receipt', result(at(1)), at(1)),
    store.pendingReviews(null, 20, at(1)),
    store.countPendingReviews(at(1)),
  ];
}

async function expectAllUnavailable(calls: Array<Promise<unknown>>): Promise<void> {
  const settled = await Promise.allSettled(calls);
  expect(settled.map((each) => each.status)).toEqual(calls.map(() => 'rejected'));
  for (const each of settled) expect((each as PromiseRejectedResult).reason).toMatchObject(STORE_UNAVAILABLE);
}

async function expectServing(store: RedisSessionStore): Promise<void> {
  await waitFor(() => store.isHealthy(), 10_000);
  const record = sessionAt(at(0));
  await expect(store.create(record)).resolves.toEqual({ available: true });
  await expect(store.get(record.id, at(1))).resolves.toEqual(record);
}

describe('RedisSessionStore when Redis fails', () => {
  let server: RedisServer;
  let redis: ConnectedStore;
  const unhandled: unknown[] = [];
  const recordUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', recordUnhandled);
    server = await startRedisServer();
    redis = await connectStore(server.url);
  });

  afterAll(async () => {
    process.off('unhandledRejection', recordUnhandled);
    await redis?.close();
    await server?.stop();
  });

  afterEach(() => expect(unhandled).toEqual([]));

  it('rejects every call with STORE_UNAVAILABLE within 2 s while Redis is frozen, and serves again on the same client once it thaws', async () => {
    const store = redis.newStore();
    const client = redis.connection.client;
    const before = sessionAt(at(0));
    await store.create(before);
    server.freeze();
    try {
      const started = Date.now();
      await Promise.all([expectAllUnavailable(everyCall(store)), expect(store.isHealthy()).resolves.toBe(false)]);
      expect(Date.now() - started).toBeLessThan(2_000);
      await expect(store.room()).resolves.toEqual({ available: true });
    } finally {
      server.thaw();
    }

    await expectServing(store);
    await expect(store.get(before.id, at(1))).resolves.toEqual(before);
    expect(redis.connection.client).toBe(client);
  });

  it('reconnects on its own to a redis-server that was restarted, and runs its scripts there again', async () => {
    const store = redis.newStore();
    const client = redis.connection.client;
    await expectServing(store);

    await server.restart();

    await expectServing(store);
    expect(redis.connection.client).toBe(client);
  });

  it('turns a Redis out of memory into STORE_UNAVAILABLE without its message, and stores again once memory is back', async () => {
    const store = redis.newStore();
    await expectServing(store);
    await expect(redisCommand(server.port, 'CONFIG SET maxmemory 1')).resolves.toBe('+OK');
    try {
      const refused = await store.create(sessionAt(at(0))).catch((error: unknown) => error);
      expect(refused).toMatchObject(STORE_UNAVAILABLE);
      expect(JSON.stringify(refused)).not.toMatch(/OOM|maxmemory/);
    } finally {
      await redisCommand(server.port, 'CONFIG SET maxmemory 0');
    }
    await expectServing(store);
  });

  it('refuses a completion with a best shot while Redis is out of memory, leaving the claim and no staged key, and completes it once memory is back', async () => {
    const store = redis.newStore();
    const record = sessionAt(at(0));
    await store.create(record);
    const held = lease(at(LEASE_MS));
    await store.claimForUpload(record.id, SHA_A, at(1), held);
    await expect(redisCommand(server.port, 'CONFIG SET maxmemory 1')).resolves.toBe('+OK');
    let refused: unknown;
    try {
      refused = await store.complete(record.id, held.claimId, result(at(2)), BEST_SHOT).catch((error: unknown) => error);
    } finally {
      await redisCommand(server.port, 'CONFIG SET maxmemory 0');
    }

    expect(refused).toMatchObject(STORE_UNAVAILABLE);
    expect(JSON.stringify(refused)).not.toMatch(/OOM|maxmemory/);
    await expect(store.get(record.id, at(3))).resolves.toMatchObject({ status: 'processing', lease: held });
    await expect(redis.connection.client.keys(`*{${record.id}}*`)).resolves.toEqual([`${redis.connection.keyPrefix}{${record.id}}:session`]);
    await expect(store.complete(record.id, held.claimId, result(at(4)), BEST_SHOT)).resolves.toMatchObject({ returned: true });
    await expect(store.getBestShot(record.id, at(5))).resolves.toEqual({ state: 'held', bytes: BEST_SHOT });
  });

  it('turns READONLY from a Redis that became a replica into STORE_UNAVAILABLE, and stores again once it is a primary', async () => {
    const store = redis.newStore();
    await expectServing(store);
    await expect(redisCommand(server.port, `REPLICAOF 127.0.0.1 ${await unusedPort()}`)).resolves.toBe('+OK');
    try {
      await expect(store.create(sessionAt(at(0)))).rejects.toMatchObject(STORE_UNAVAILABLE);
    } finally {
      await redisCommand(server.port, 'REPLICAOF NO ONE');
    }
    await expectServing(store);
  });
});

describe('RedisSessionStore when nothing listens at REDIS_URL', () => {
  it('is built without waiting, answers unhealthy, and rejects every call with STORE_UNAVAILABLE at once', async () => {
    const redis = await connectStore(`redis://127.0.0.1:${await unusedPort()}`, { waitUntilReady: false });
    try {
      const store = redis.newStore();
      const started = Date.now();

      await Promise.all([expectAllUnavailable(everyCall(store)), expect(store.isHealthy()).resolves.toBe(false)]);
      // Below the 1 s command timeout: no timeout or retry is waited for; slack for a loaded CI machine.
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      await redis.close();
    }
  });
});

async function unusedPort(): Promise<number> {
  for (;;) {
    const port = 15_000 + Math.floor(Math.random() * 17_000);
    if (await isPortFree(port)) return port;
  }
}
