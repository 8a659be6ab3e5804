import { clusterOptions, parseRedisUrl, reconnectDelay, standaloneOptions } from './redis-options';

describe('parseRedisUrl', () => {
  it('reads host and the default port from a bare redis:// URL, without credentials or TLS', () => {
    expect(parseRedisUrl('redis://redis.internal')).toEqual({ host: 'redis.internal', port: 6379 });
  });

  it('reads user, percent-decoded password, port and database, and turns TLS on for rediss://', () => {
    expect(parseRedisUrl('rediss://svc-user:p%40ss%3Aw0rd@redis.internal:6380/2')).toEqual({
      host: 'redis.internal',
      port: 6380,
      username: 'svc-user',
      password: 'p@ss:w0rd',
      db: 2,
      tls: {},
    });
  });

  it('reads a password without a user (the default user) and an IPv6 host', () => {
    expect(parseRedisUrl('redis://:secret@[::1]:7000')).toEqual({ host: '::1', port: 7000, password: 'secret' });
  });

  it('refuses another scheme', () => {
    expect(() => parseRedisUrl('http://redis.internal')).toThrow('REDIS_URL must be a redis:// or rediss:// URL');
  });
});

describe('client options', () => {
  const endpoint = parseRedisUrl('rediss://svc-user:secret@redis.internal:6380');

  it('fails fast instead of queueing: 1 s per command, no offline queue, nothing resent after a drop', () => {
    expect(standaloneOptions(endpoint)).toMatchObject({
      host: 'redis.internal',
      port: 6380,
      username: 'svc-user',
      password: 'secret',
      tls: {},
      commandTimeout: 1_000,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    });
  });

  it('reconnects after READONLY (a failover moved the primary) and after no other reply error', () => {
    const { reconnectOnError } = standaloneOptions(endpoint);

    expect(reconnectOnError?.(new Error("READONLY You can't write against a read only replica."))).toBe(true);
    expect(reconnectOnError?.(new Error('OOM command not allowed'))).toBe(false);
  });

  it('lets a user of the shared Redis change options for its own client', () => {
    expect(standaloneOptions(endpoint, { maxRetriesPerRequest: null, enableOfflineQueue: true })).toMatchObject({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      commandTimeout: 1_000,
    });
  });

  it('gives a Cluster its own fail-fast options and the credentials, TLS and timeouts for every node', () => {
    const options = clusterOptions(endpoint);

    expect(options).toMatchObject({ enableOfflineQueue: false, slotsRefreshTimeout: 1_000 });
    expect(options.clusterRetryStrategy?.(1_000)).toBeLessThanOrEqual(2_100);
    expect(options.redisOptions).toMatchObject({ username: 'svc-user', password: 'secret', tls: {}, commandTimeout: 1_000, maxRetriesPerRequest: 0 });
    expect(Object.keys(options.redisOptions ?? {})).toEqual(expect.not.arrayContaining(['host', 'port', 'retryStrategy', 'enableOfflineQueue']));
  });

  it('applies a user’s overrides to the Cluster and to its nodes', () => {
    const options = clusterOptions(endpoint, { maxRetriesPerRequest: null, enableOfflineQueue: true });

    expect(options.enableOfflineQueue).toBe(true);
    expect(options.redisOptions?.maxRetriesPerRequest).toBeNull();
  });
});

describe('reconnectDelay', () => {
  it('grows with each attempt and never exceeds about 2 s, however long Redis stays away', () => {
    const delays = [1, 2, 3, 10, 1_000, 1e9].map((attempt) => reconnectDelay(attempt));

    expect(delays[0]).toBeLessThan(400);
    expect(delays[2]).toBeGreaterThanOrEqual(800);
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(2_100);
    expect(delays[5]).toBeGreaterThanOrEqual(2_000);
  });
});
