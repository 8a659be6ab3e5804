import { randomBytes } from 'node:crypto';
import type { AttemptRule } from '../../../src/attempts/attempt-ledger';
import { RedisAttemptLedger } from '../../../src/attempts/redis-attempt-ledger';
import { RedisConnection } from '../../../src/redis/redis.connection';
import { type RedisServer, startRedisServer } from '../../support/redis-server';
import { waitFor } from '../../support/redis-wire';
import { aYearAhead, CONTRACT_RULE, describeAttemptLedgerContract } from './attempt-ledger.contract';

let server: RedisServer;
const connections: RedisConnection[] = [];
const keyPrefix = `test-${randomBytes(4).toString('hex')}:`;

/** A connection of its own per replica, as two processes have. */
async function connect(): Promise<RedisConnection> {
  const connection = await new RedisConnection({ url: server.url, cluster: false, keyPrefix, dataEncryptionKey: randomBytes(32) }).load();
  await waitFor(() => connection.ping(500), 10_000);
  connections.push(connection);
  return connection;
}

const ledgerOn = (connection: RedisConnection, rule: AttemptRule) => new RedisAttemptLedger(rule, connection.client, keyPrefix);

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.onApplicationShutdown()));
  await server?.stop();
});

describe('RedisAttemptLedger', () => {
  describeAttemptLedgerContract({
    newPeers: async (rule) => [ledgerOn(await connect(), rule), ledgerOn(await connect(), rule)],
    t0: aYearAhead,
  });
});

describe('RedisAttemptLedger data in Redis', () => {
  it('keeps a subject under a digest of its id, for no longer than the window', async () => {
    const connection = await connect();
    const ledger = ledgerOn(connection, CONTRACT_RULE);
    const subjectId = `person-${randomBytes(6).toString('hex')}`;

    await ledger.recordFailure(subjectId, 'evt-1', aYearAhead());

    const keys = await connection.client.keys(`${keyPrefix}attempts:*`);
    expect(keys.some((key) => key.includes(subjectId))).toBe(false);
    const ttls = await Promise.all(keys.map((key) => connection.client.pttl(key)));
    expect(ttls.every((ttl) => ttl > 0 && ttl <= CONTRACT_RULE.windowMs)).toBe(true);
  });

  it('answers STORE_UNAVAILABLE, not the client’s message, when Redis does not answer', async () => {
    const connection = await connect();
    const ledger = ledgerOn(connection, CONTRACT_RULE);
    await connection.client.quit();

    await expect(ledger.tally('anyone', aYearAhead())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
