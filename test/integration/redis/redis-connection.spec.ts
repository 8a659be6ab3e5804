import { Logger } from '@nestjs/common';
import type { RedisConfig } from '../../../src/config';
import { RedisConnection } from '../../../src/redis/redis.connection';
import { type RedisServer, startRedisServer } from '../../support/redis-server';
import { waitFor } from '../../support/redis-wire';

const PASSWORD = 'p@ss:w0rd-for-tests';
const config = (url: string | null): RedisConfig => ({ url, cluster: false, keyPrefix: 'ozlv:', dataEncryptionKey: null });

describe('RedisConnection', () => {
  let server: RedisServer;
  const connections: RedisConnection[] = [];
  const connect = async (url: string | null) => {
    const connection = await new RedisConnection(config(url)).load();
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    server = await startRedisServer({ args: ['--user', 'svc', 'on', `>${PASSWORD}`, '~*', '&*', '+@all', '--user', 'default', 'off'] });
  });

  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.onApplicationShutdown()));
    jest.restoreAllMocks();
  });

  afterAll(() => server?.stop());

  const url = (password: string) => `redis://svc:${encodeURIComponent(password)}@127.0.0.1:${server.port}`;

  it('logs in with the user and percent-encoded password of the URL', async () => {
    const connection = await connect(url(PASSWORD));

    await expect(waitFor(() => connection.ping(500), 5_000)).resolves.toBeUndefined();
    await expect(connection.client.acl('WHOAMI')).resolves.toBe('svc');
  });

  it('answers false to a ping with a wrong password, and logs the failure at error without the password or the URL', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const connection = await connect(url('wrong-password'));

    await expect(connection.ping(300)).resolves.toBe(false);
    await waitFor(async () => error.mock.calls.length > 0, 5_000);

    const logged = JSON.stringify(error.mock.calls);
    expect(logged).toContain('Redis connection error (WRONGPASS)');
    expect(logged).not.toMatch(/wrong-password|svc|127\.0\.0\.1/);
  });

  it('answers false within its timeout while Redis is frozen, and true again once it thaws', async () => {
    const connection = await connect(url(PASSWORD));
    await waitFor(() => connection.ping(500), 5_000);
    server.freeze();
    const started = Date.now();
    try {
      await expect(connection.ping(300)).resolves.toBe(false);
      // Bounded by its 300 ms, below the client's 1 s command timeout; slack for a loaded CI machine.
      expect(Date.now() - started).toBeLessThan(900);
    } finally {
      server.thaw();
    }
    await expect(waitFor(() => connection.ping(500), 5_000)).resolves.toBeUndefined();
  });

  it('makes clients of their own for other users, with their options, apart from the shared one', async () => {
    const connection = await connect(url(PASSWORD));
    const queueing = connection.createClient({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    try {
      // Sent before the connection is up: the offline queue holds it, where the shared client would refuse it.
      await expect(queueing.set('ozlv:probe', '1')).resolves.toBe('OK');
      expect(queueing).not.toBe(connection.client);
      expect(queueing.options).toMatchObject({ maxRetriesPerRequest: null });
    } finally {
      queueing.disconnect();
    }
  });

  it('refuses a command sent before its shared client is connected instead of queueing it', async () => {
    const connection = await connect(url(PASSWORD));

    await expect(connection.client.get('ozlv:probe')).rejects.toThrow('enableOfflineQueue');
  });

  it('quits the shared client at application shutdown', async () => {
    const connection = await connect(url(PASSWORD));
    const client = connection.client;
    await waitFor(() => connection.ping(500), 5_000);

    await connection.onApplicationShutdown();

    expect(client.status).toBe('end');
  });

  it('is disabled without a URL: no client, and a ping answers false', async () => {
    const connection = await connect(null);

    expect(connection.enabled).toBe(false);
    expect(() => connection.client).toThrow('REDIS_URL is unset');
    await expect(connection.ping()).resolves.toBe(false);
  });
});
