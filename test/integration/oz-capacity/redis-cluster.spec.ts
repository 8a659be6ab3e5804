import { type RedisCluster, startRedisCluster } from '../../support/redis-server';
import { describeOzCapacityContract, waitersAre } from './oz-capacity.contract';
import { CapacityReplicas } from './redis-harness';

let cluster: RedisCluster;
let deployment: CapacityReplicas;

beforeAll(async () => {
  cluster = await startRedisCluster();
}, 30_000);

afterAll(async () => {
  await cluster?.stop();
});

beforeEach(() => {
  deployment = new CapacityReplicas(cluster.url, true);
});

afterEach(async () => {
  await deployment.close();
});

describe('RedisOzCapacity on a three-node Redis Cluster', () => {
  describeOzCapacityContract({ newCapacity: (options) => deployment.replica(options) });

  it('wakes a waiter on another replica through the cluster’s pub/sub when a slot is given back', async () => {
    const [a, b] = [await deployment.replica({ capacity: 1 }), await deployment.replica({ capacity: 1 })];
    const holder = await a.acquire(new AbortController().signal);
    const waiting = b.acquire(new AbortController().signal);
    await waitersAre(b, 1);

    holder.release();

    (await waiting).release();
    expect(b.waiting).toBe(0);
  });
});
