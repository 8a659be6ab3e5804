import { randomBytes } from 'node:crypto';
import { RedisConnection, type RedisClient } from '../../../src/redis/redis.connection';
import { BestShotRefusedError } from '../../../src/session/best-shot.cipher';
import { RedisSessionStore } from '../../../src/session/redis-session.store';
import type { SessionResult } from '../../../src/session/session.types';
import { type RedisServer, startRedisServer } from '../../support/redis-server';
import { waitFor } from '../../support/redis-wire';
import {
  BEST_SHOT,
  BEST_SHOT_TTL_SECONDS,
  LEASE_MS,
  PURGE_MS,
  SHA_A,
  biometryResult,
  lease,
  result,
  sessionAt,
  sha256,
  steps,
  underReview,
} from './contract/fixtures';
import { type ConnectedStore, connectStore } from './redis-harness';
import { aYearAhead, CONTRACT_SESSIONS_CONFIG, describeSessionStoreContract } from './session-store.contract';

let server: RedisServer;
let redis: ConnectedStore;

beforeAll(async () => {
  server = await startRedisServer();
  redis = await connectStore(server.url);
});

afterAll(async () => {
  await redis?.close();
  await server?.stop();
});

describe('RedisSessionStore', () => {
  describeSessionStoreContract({ newStore: async () => redis.newStore(), t0: aYearAhead });
});

const T0 = aYearAhead();
const at = (ms: number) => new Date(T0.getTime() + ms);

async function allKeys(client: RedisClient): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/** Every value of every key, as bytes: hash fields and values, strings, and the review queue's sorted sets (their members). */
async function allValues(client: RedisClient): Promise<Buffer[]> {
  const values: Buffer[] = [];
  for (const key of await allKeys(client)) {
    const type = await client.type(key);
    if (type === 'hash') values.push(...Object.entries(await client.hgetallBuffer(key)).flatMap(([field, value]) => [Buffer.from(field), value]));
    else if (type === 'string') values.push((await client.getBuffer(key))!);
    else if (type === 'zset') values.push(...(await client.zrangeBuffer(key, 0, -1)));
    else throw new Error(`unexpected ${type} at ${key}`);
  }
  return values;
}

describe('RedisSessionStore data in Redis', () => {
  const subject = () => ({ store: redis.newStore(), at });

  it('keeps a session in two keys under its hash tag, expiring at purgeAt and at the best shot’s heldUntil', async () => {
    const { client, keyPrefix } = redis.connection;
    const record = await steps(subject()).completed(BEST_SHOT, at(1_000));
    const tagged = `${keyPrefix}{${record.id}}`;

    expect((await allKeys(client)).filter((key) => key.includes(record.id))).toEqual([`${tagged}:best-shot`, `${tagged}:session`]);
    await expect(client.pexpiretime(`${tagged}:session`)).resolves.toBe(at(PURGE_MS).getTime());
    await expect(client.pexpiretime(`${tagged}:best-shot`)).resolves.toBe(at(1_000 + BEST_SHOT_TTL_SECONDS * 1000).getTime());
  });

  it('leaves no staged best shot behind when a completion lost its claim, and the winner’s best shot as it was', async () => {
    const { client, keyPrefix } = redis.connection;
    const store = redis.newStore();
    const record = await steps(subject()).created();
    const stale = lease(at(1_000));
    await store.claimForUpload(record.id, SHA_A, at(1), stale);
    const winner = lease(at(LEASE_MS));
    await store.claimForUpload(record.id, SHA_A, at(1_000), winner);
    await expect(store.complete(record.id, winner.claimId, result(at(1_001)), BEST_SHOT)).resolves.toMatchObject({ returned: true });

    await expect(store.complete(record.id, stale.claimId, result(at(1_002)), Buffer.from('the late image'))).resolves.toBeNull();

    const tagged = `${keyPrefix}{${record.id}}`;
    expect((await allKeys(client)).filter((key) => key.includes(record.id))).toEqual([`${tagged}:best-shot`, `${tagged}:session`]);
    await expect(store.getBestShot(record.id, at(1_003))).resolves.toEqual({ state: 'held', bytes: BEST_SHOT });
  });

  it('completes nothing when the staged best shot is gone before the script runs, and completes once one is staged', async () => {
    const { client, keyPrefix } = redis.connection;
    const store = redis.newStore();
    const record = await steps(subject()).created();
    const held = lease(at(LEASE_MS));
    await store.claimForUpload(record.id, SHA_A, at(1), held);
    const tagged = `${keyPrefix}{${record.id}}`;
    const scripts = client as unknown as { sessionComplete(...args: string[]): Promise<number> };

    // What an eviction or a FLUSHDB between the pipeline's SET and the script would leave.
    const gone = await scripts.sessionComplete(
      `${tagged}:session`,
      `${tagged}:best-shot`,
      `${tagged}:best-shot:staged:${held.claimId}`,
      held.claimId,
      '{}',
      String(at(9).getTime()),
    );

    expect(gone).toBe(-1);
    await expect(store.get(record.id, at(2))).resolves.toMatchObject({ status: 'processing', lease: held, result: null, bestShot: { returned: false } });
    await expect(store.complete(record.id, held.claimId, result(at(3)), BEST_SHOT)).resolves.toMatchObject({ returned: true });
    await expect(store.getBestShot(record.id, at(4))).resolves.toEqual({ state: 'held', bytes: BEST_SHOT });
  });

  it('keeps the session’s expiry through every change, and gives an open session one key only', async () => {
    const { client, keyPrefix } = redis.connection;
    const store = redis.newStore();
    const record = await steps(subject()).created();
    const key = `${keyPrefix}{${record.id}}:session`;
    await expect(client.exists(`${keyPrefix}{${record.id}}:best-shot`)).resolves.toBe(0);

    const held = lease(at(LEASE_MS));
    await store.claimForUpload(record.id, SHA_A, at(1), held);
    await store.complete(record.id, held.claimId, result(at(2)), null);
    await store.recordBiometry(record.id, biometryResult(at(2)), at(3));

    await expect(client.pexpiretime(key)).resolves.toBe(at(PURGE_MS).getTime());
    await expect(client.exists(`${keyPrefix}{${record.id}}:best-shot`)).resolves.toBe(0);
  });

  it('lets a best shot expire with its session when the session is purged first', async () => {
    const { client, keyPrefix } = redis.connection;
    const store = redis.newStore();
    const record = sessionAt(at(0), { purgeAt: at(60_000) });
    await store.create(record);
    const held = lease(at(LEASE_MS));
    await store.claimForUpload(record.id, SHA_A, at(1), held);
    await store.complete(record.id, held.claimId, result(at(2)), BEST_SHOT);

    await expect(client.pexpiretime(`${keyPrefix}{${record.id}}:best-shot`)).resolves.toBe(at(60_000).getTime());
  });

  it('holds no session token, container or best shot in clear in any key or value', async () => {
    const token = `oz-session-token-${randomBytes(16).toString('hex')}`;
    const container = Buffer.concat([Buffer.from('container-bytes:'), randomBytes(4_096)]);
    const image = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(4_096), Buffer.from([0xff, 0xd9])]);
    const store = redis.newStore();
    const record = sessionAt(at(0), { tokenSha256: sha256(token) });
    await store.create(record);
    const held = lease(at(LEASE_MS));
    await store.claimForUpload(record.id, sha256(container.toString('latin1')), at(1), held);
    await store.complete(record.id, held.claimId, result(at(2)), image);
    const secrets = [token, container.subarray(1_000, 1_032), image.subarray(1_000, 1_032)].flatMap((secret) => {
      const bytes = Buffer.from(secret);
      return [bytes, Buffer.from(bytes.toString('base64').slice(4, 36)), Buffer.from(bytes.toString('hex').slice(4, 36))];
    });

    const keys = await allKeys(redis.connection.client);
    const values = await allValues(redis.connection.client);

    expect(values.length).toBeGreaterThan(10);
    expect(keys.filter((key) => key.includes(token))).toEqual([]);
    expect(values.filter((value) => secrets.some((secret) => value.includes(secret)))).toEqual([]);
    await expect(store.getBestShot(record.id, at(3))).resolves.toEqual({ state: 'held', bytes: image });
  });

  it('answers expired for a held best shot whose key Redis no longer has (evicted), and held again once it is back', async () => {
    const { client, keyPrefix } = redis.connection;
    const store = redis.newStore();
    const record = await steps(subject()).completed(BEST_SHOT);
    const key = `${keyPrefix}{${record.id}}:best-shot`;
    const sealed = (await client.getBuffer(key))!;

    await client.del(key);
    await expect(store.getBestShot(record.id, at(2_000))).resolves.toEqual({ state: 'expired' });

    await client.set(key, sealed);
    await expect(store.getBestShot(record.id, at(2_000))).resolves.toEqual({ state: 'held', bytes: BEST_SHOT });
  });

  it('refuses a best shot copied from another session’s key instead of handing it out', async () => {
    const { client, keyPrefix } = redis.connection;
    const store = redis.newStore();
    const donor = await steps(subject()).completed(Buffer.from('the donor image'));
    const target = await steps(subject()).completed(BEST_SHOT);
    const targetKey = `${keyPrefix}{${target.id}}:best-shot`;

    await client.set(targetKey, (await client.getBuffer(`${keyPrefix}{${donor.id}}:best-shot`))!, 'KEEPTTL');

    await expect(store.getBestShot(target.id, at(2_000))).rejects.toThrow(BestShotRefusedError);
  });

  it('lets exactly one of many claims through when they come from two replicas at once', async () => {
    const second = await new RedisConnection(redis.config).load();
    await waitFor(() => second.ping(500), 5_000);
    const replicas = [redis.newStore(), new RedisSessionStore(redis.config, CONTRACT_SESSIONS_CONFIG, second)];
    const record = await steps(subject()).created();

    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => replicas[i % 2].claimForUpload(record.id, SHA_A, at(1), lease(at(LEASE_MS)))),
    ).finally(() => second.onApplicationShutdown());

    expect(claims.filter((claim) => claim.outcome === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.outcome === 'in-progress')).toHaveLength(19);
  });
});

describe('RedisSessionStore review queue in Redis', () => {
  const subject = () => ({ store: redis.newStore(), at });

  async function completedWith(completion: SessionResult): Promise<string> {
    const { record, claim } = await steps(subject()).claimed();
    await redis.newStore().complete(record.id, claim.claimId, completion, null);
    return record.id;
  }

  it('keeps the queue under a hash tag of its own, and repairs it on read: an entry whose session is gone goes, one whose session is not pending is skipped', async () => {
    const { client, keyPrefix } = redis.connection;
    const store = redis.newStore();
    const since = at(-7 * 86_400_000 - 123);
    const [pendingKey, purgeKey] = [`${keyPrefix}{reviews}:pending`, `${keyPrefix}{reviews}:purge`];
    const gone = await completedWith(underReview(at(1_000), since));
    // A replica that died between adding an entry and recording its session's result leaves this.
    const notPending = await completedWith(result(at(1_000)));
    await client.zadd(pendingKey, since.getTime() + 1, notPending);
    await client.zadd(purgeKey, at(PURGE_MS).getTime(), notPending);
    await client.del(`${keyPrefix}{${gone}}:session`);

    const page = await store.pendingReviews({ since: new Date(since.getTime() - 1), sessionId: '' }, 2, at(2_000));

    expect(page.map((session) => session.id)).not.toEqual(expect.arrayContaining([gone]));
    expect(page.map((session) => session.id)).not.toEqual(expect.arrayContaining([notPending]));
    await expect(Promise.all([client.zscore(pendingKey, gone), client.zscore(purgeKey, gone)])).resolves.toEqual([null, null]);
    await expect(client.zscore(pendingKey, notPending)).resolves.toBe(String(since.getTime() + 1));
    await expect(client.type(pendingKey)).resolves.toBe('zset');
  });

  it('drops every entry whose session’s purgeAt has passed on the next use of the queue, whoever uses it', async () => {
    const { client, keyPrefix } = redis.connection;
    const id = await completedWith(underReview(at(1_000), at(-3 * 86_400_000 - 77)));
    await expect(client.zscore(`${keyPrefix}{reviews}:purge`, id)).resolves.toBe(String(at(PURGE_MS).getTime()));

    await redis.newStore().countPendingReviews(at(PURGE_MS));

    await expect(Promise.all([client.zscore(`${keyPrefix}{reviews}:pending`, id), client.zscore(`${keyPrefix}{reviews}:purge`, id)])).resolves.toEqual([
      null,
      null,
    ]);
  });
});
