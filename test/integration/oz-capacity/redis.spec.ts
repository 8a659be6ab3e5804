import type { OzCapacityPermit } from '../../../src/oz-capacity/oz-capacity';
import { type RedisServer, startRedisServer } from '../../support/redis-server';
import { describeOzCapacityContract, waitersAre } from './oz-capacity.contract';
import { CapacityReplicas } from './redis-harness';

let redis: RedisServer;
let deployment: CapacityReplicas;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.stop();
});

beforeEach(() => {
  deployment = new CapacityReplicas(redis.url);
});

afterEach(async () => {
  await deployment.close();
});

const never = () => new AbortController().signal;

describe('RedisOzCapacity', () => {
  describeOzCapacityContract({ newCapacity: (options) => deployment.replica(options) });
});

describe('RedisOzCapacity across replicas', () => {
  it('shares one capacity: a slot given back on one replica goes to a waiter on another', async () => {
    const [a, b] = [await deployment.replica(), await deployment.replica()];
    const held = [await a.acquire(never()), await a.acquire(never())];
    const waiting = b.acquire(never());
    await waitersAre(b, 1);

    held[0].release();

    (await waiting).release();
    held[1].release();
  });

  it('serves waiters of three replicas in the order they arrived', async () => {
    const replicas = [await deployment.replica({ capacity: 1 }), await deployment.replica({ capacity: 1 }), await deployment.replica({ capacity: 1 })];
    const order: number[] = [];
    let holder = await replicas[0].acquire(never());
    const pending: Promise<OzCapacityPermit>[] = [];
    for (let i = 0; i < 6; i++) {
      const replica = replicas[(i + 1) % 3];
      const before = replica.waiting;
      pending.push(replica.acquire(never()).then((permit) => (order.push(i), permit)));
      await waitersAre(replica, before + 1);
    }

    for (const next of pending) {
      holder.release();
      holder = await next;
    }
    holder.release();

    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('never lets replicas together take more than the capacity under a burst', async () => {
    const replicas = [await deployment.replica({ capacity: 3 }), await deployment.replica({ capacity: 3 }), await deployment.replica({ capacity: 3 })];
    let held = 0;
    let most = 0;
    const work = async (i: number) => {
      const permit = await replicas[i % 3].acquire(never());
      most = Math.max(most, ++held);
      await new Promise((resolve) => setTimeout(resolve, 10));
      held -= 1;
      permit.release();
    };

    await Promise.all(Array.from({ length: 30 }, (_, i) => work(i)));

    expect(most).toBe(3);
  });

  it('drops the place of a waiter whose replica stopped beating, so that it blocks no one', async () => {
    const [a, b] = [await deployment.replica({ capacity: 1 }), await deployment.replica({ capacity: 1 })];
    const holder = await b.acquire(never());
    const dying = a.acquire(never()).catch(() => 'gone');
    await waitersAre(a, 1);
    const behind = b.acquire(never());
    await waitersAre(b, 1);
    // The replica stops beating for its waiter as a dead one would (no leave is sent).
    (a as unknown as { stopTimers(): void }).stopTimers();
    (a as unknown as { beat(): void }).beat = () => undefined;
    (a as unknown as { serve(): Promise<void> }).serve = async () => undefined;

    holder.release();

    (await behind).release();
    await a.beforeApplicationShutdown();
    await expect(dying).resolves.toBe('gone');
  });

  it('gives back thousands of places in one leave', async () => {
    const capacity = await deployment.replica({ capacity: 1 });
    const holder = await capacity.acquire(never());
    const client = new AbortController();
    const waiting = Array.from({ length: 3_000 }, () => capacity.acquire(client.signal).catch(() => 'left'));
    await waitersAre(capacity, 3_000);
    const ids = [...(capacity as unknown as { queued: Map<string, unknown> }).queued.keys()];

    await expect((capacity as unknown as { leave(ids: string[]): Promise<boolean> }).leave(ids)).resolves.toBe(true);

    await expect(deployment.client.zcard(deployment.key('queue'))).resolves.toBe(0);
    client.abort();
    await expect(Promise.all(waiting)).resolves.toEqual(Array(3_000).fill('left'));
    holder.release();
  });

  it('lets its keys expire once nothing in them can be alive: the holders after a lease, the queue after a heartbeat', async () => {
    const capacity = await deployment.replica({ capacity: 1, leaseMs: 30_000 });
    const holder = await capacity.acquire(never());
    const waiting = capacity.acquire(never());
    await waitersAre(capacity, 1);

    const [holders, queue, alive] = await Promise.all(['holders', 'queue', 'alive'].map((name) => deployment.client.pttl(deployment.key(name as 'queue'))));

    expect(holders).toBeGreaterThan(25_000);
    expect(holders).toBeLessThanOrEqual(30_000);
    for (const ttl of [queue, alive]) expect(ttl).toBeGreaterThan(0);
    for (const ttl of [queue, alive]) expect(ttl).toBeLessThanOrEqual(3_000);
    holder.release();
    (await waiting).release();
  });

  it('answers 503 STORE_UNAVAILABLE when Redis does not answer, and never a slot', async () => {
    const capacity = await deployment.replica();
    redis.freeze();
    try {
      await expect(capacity.acquire(never())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503, retryAfterSeconds: 1 });
    } finally {
      redis.thaw();
    }
  });

  it('tells a waiter 503 STORE_UNAVAILABLE when Redis stops answering while it waits', async () => {
    const capacity = await deployment.replica({ capacity: 1 });
    const holder = await capacity.acquire(never());
    const waiting = capacity.acquire(never());
    await waitersAre(capacity, 1);
    redis.freeze();
    try {
      await expect(waiting).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      redis.thaw();
    }
    holder.release();
  });
});
