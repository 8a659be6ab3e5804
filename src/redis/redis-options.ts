import type { ClusterOptions, RedisOptions } from 'ioredis';

/** Options a user of the shared Redis may change for its own connection (BullMQ: `maxRetriesPerRequest: null`). */
export type RedisClientOptions = Partial<RedisOptions>;

/** Where one node is and how to log in, from a `redis://` or `rediss://` URL. */
export interface RedisEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
}

const DEFAULT_PORT = 6379;
/**
 * A store call must fail within the 2 s of docs/api.md §7: a command gets 1 s, then its caller
 * answers 503 STORE_UNAVAILABLE.
 */
export const COMMAND_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 2_000;
/** How long a closing socket may take to close on its own before it is destroyed (ioredis: 2 s). */
const DISCONNECT_TIMEOUT_MS = 500;
const KEEP_ALIVE_MS = 10_000;
const RECONNECT_CAP_MS = 2_000;

export function parseRedisUrl(url: string): RedisEndpoint {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('REDIS_URL must be a redis:// or rediss:// URL');
  const endpoint: RedisEndpoint = { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port ? Number(parsed.port) : DEFAULT_PORT };
  if (parsed.username) endpoint.username = decodeURIComponent(parsed.username);
  if (parsed.password) endpoint.password = decodeURIComponent(parsed.password);
  const db = parsed.pathname.replace(/^\//, '');
  if (db) endpoint.db = Number(db);
  if (parsed.protocol === 'rediss:') endpoint.tls = {};
  return endpoint;
}

/**
 * Forever, at most 2 s apart, with jitter so that replicas do not all reconnect in the same
 * millisecond after a Redis restart. Never giving up is what lets the service serve again
 * without a restart once Redis is back.
 */
export function reconnectDelay(attempt: number): number {
  return Math.min(100 * 2 ** Math.min(attempt, 5), RECONNECT_CAP_MS) + Math.floor(Math.random() * 100);
}

/**
 * Fail fast rather than queue: a command sent while disconnected fails at once (no offline
 * queue), one in flight when the connection drops fails at once and is never resent (a state
 * change that its caller already answered 503 for must not happen later), and a command that
 * gets no reply fails after COMMAND_TIMEOUT_MS. The client connects in the background and
 * nothing awaits it: the service starts while Redis is down, and readiness reports it.
 */
export function nodeOptions(endpoint: RedisEndpoint): RedisOptions {
  return {
    ...endpoint,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    keepAlive: KEEP_ALIVE_MS,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: false,
    // After a failover the old primary answers READONLY: reconnecting finds the new one.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
    retryStrategy: reconnectDelay,
  };
}

/** The options of a standalone client, with a user's overrides on top. */
export function standaloneOptions(endpoint: RedisEndpoint, overrides: RedisClientOptions = {}): RedisOptions {
  return { ...nodeOptions(endpoint), ...overrides };
}

/**
 * A Cluster has options of its own (offline queue, reconnect) and passes `redisOptions` to
 * each node; a user's overrides apply to both. The nodes are found from the one seed node.
 */
export function clusterOptions(endpoint: RedisEndpoint, overrides: RedisClientOptions = {}): ClusterOptions {
  const { host: _host, port: _port, db: _db, retryStrategy: _retry, enableOfflineQueue: _queue, ...perNode } = standaloneOptions(endpoint, overrides);
  return {
    enableOfflineQueue: overrides.enableOfflineQueue ?? false,
    clusterRetryStrategy: reconnectDelay,
    slotsRefreshTimeout: COMMAND_TIMEOUT_MS,
    redisOptions: perNode,
  };
}
