import { type RedisCluster, startRedisCluster } from '../../support/redis-server';
import { steps } from './contract/fixtures';
import { type ConnectedStore, connectStore } from './redis-harness';
import { aYearAhead, describeSessionStoreContract } from './session-store.contract';

let cluster: RedisCluster;
let redis: ConnectedStore;

beforeAll(async () => {
  cluster = await startRedisCluster();
  redis = await connectStore(cluster.url, { cluster: true });
}, 30_000);

afterAll(async () => {
  await redis?.close();
  await cluster?.stop();
});

describe('RedisSessionStore on a three-node Redis Cluster', () => {
  describeSessionStoreContract({ newStore: async () => redis.newStore(), t0: aYearAhead });

  it('keeps both keys of a session in the slot of its id’s hash tag, and spreads sessions over the nodes', async () => {
    const T0 = aYearAhead();
    const { client, keyPrefix } = redis.connection;
    const records = await Promise.all(
      Array.from({ length: 12 }, () => steps({ store: redis.newStore(), at: (ms) => new Date(T0.getTime() + ms) }).completed()),
    );

    const slots = await Promise.all(
      records.map(async ({ id }) => {
        const [session, bestShot, tag] = await Promise.all(
          [`${keyPrefix}{${id}}:session`, `${keyPrefix}{${id}}:best-shot`, id].map((key) => client.cluster('KEYSLOT', key)),
        );
        expect([session, bestShot]).toEqual([tag, tag]);
        return tag;
      }),
    );

    // Three primaries share 16384 slots in thirds: twelve random ids all on one node would be a prefix acting as the tag.
    const nodesUsed = new Set(slots.map((slot) => Math.floor(slot / 5462)));
    expect(nodesUsed.size).toBeGreaterThan(1);
  });
});
