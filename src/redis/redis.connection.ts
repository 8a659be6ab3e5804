import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { redisConfig, type RedisConfig } from '../config';
import { clusterOptions, parseRedisUrl, type RedisClientOptions, type RedisEndpoint, standaloneOptions } from './redis-options';

/** The client type other modules see, so that nothing outside `redis/` imports ioredis. */
export type RedisClient = Redis | Cluster;
export type { RedisClientOptions } from './redis-options';

/** How long the start waits for the first connection before going on without it. */
const START_WAIT_MS = 2_000;
/** One line per this many milliseconds at most: a Redis outage raises an error per reconnect attempt. */
const ERROR_LOG_INTERVAL_MS = 30_000;
/** How long shutdown waits for the socket to close once QUIT was answered or failed. */
const SHUTDOWN_WAIT_MS = 1_000;

/**
 * The one place that knows the Redis client: the shared connection (`client`) and new ones for
 * users that need other options (`createClient`). Built from REDIS_URL / REDIS_CLUSTER; when
 * REDIS_URL is unset the service keeps its state in memory and `client` must not be asked for.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly endpoint: RedisEndpoint | null;
  private shared: RedisClient | null = null;
  private lastErrorLogAt = -Infinity;

  /** ioredis, loaded only when REDIS_URL is set: one replica on the in-memory store does without its memory. */
  private library: typeof import('ioredis') | null = null;

  constructor(@Inject(redisConfig.KEY) private readonly config: RedisConfig) {
    this.endpoint = config.url === null ? null : parseRedisUrl(config.url);
  }

  /** Called by the module's factory, before any user of the connection is built. */
  async load(): Promise<this> {
    if (this.enabled) this.library = await import('ioredis');
    return this;
  }

  get enabled(): boolean {
    return this.endpoint !== null;
  }

  /** REDIS_KEY_PREFIX: every key the service writes starts with it. */
  get keyPrefix(): string {
    return this.config.keyPrefix;
  }

  /** The shared client, connecting in the background on first use; commands fail fast while Redis is away. */
  get client(): RedisClient {
    this.shared ??= this.createClient();
    return this.shared;
  }

  /**
   * A new connection to the same Redis with other options (e.g. BullMQ wants
   * `maxRetriesPerRequest: null`). Its caller owns it and quits it at shutdown.
   */
  createClient(overrides: RedisClientOptions = {}): RedisClient {
    if (this.endpoint === null || this.library === null) throw new Error('Redis is not configured (REDIS_URL is unset)');
    const client = this.config.cluster
      ? new this.library.Cluster([{ host: this.endpoint.host, port: this.endpoint.port }], clusterOptions(this.endpoint, overrides))
      : new this.library.Redis(standaloneOptions(this.endpoint, overrides));
    this.listenForErrors(client);
    return client;
  }

  /**
   * Connects at start and waits a moment for the connection to be ready, so that the first
   * requests do not fail only because the socket was still opening (commands never queue). A
   * Redis that is down does not stop the start: readiness says so, and the client keeps trying.
   */
  async onModuleInit(): Promise<void> {
    if (!this.enabled) return;
    const client = this.client;
    if (client.status === 'ready') return;
    await Promise.race([new Promise<void>((resolve) => client.once('ready', () => resolve())), delay(START_WAIT_MS)]);
  }

  /** Whether Redis answers a PING within `timeoutMs`; never throws. */
  async ping(timeoutMs = 1_000): Promise<boolean> {
    if (!this.enabled) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const answer = this.client.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** After the server drained (not onModuleDestroy, which runs first): requests in flight keep the store. */
  async onApplicationShutdown(): Promise<void> {
    const client = this.shared;
    this.shared = null;
    if (!client) return;
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    // Between reconnect attempts there is no socket to close, only the next attempt to cancel.
    const hasSocket = ['connecting', 'connect', 'ready'].includes(client.status);
    // QUIT lets Redis finish what was sent; a Redis that does not answer, or a connection that
    // is not ready (a login refused), gets cut off.
    if (client.status === 'ready') await client.quit().catch(() => undefined);
    client.disconnect();
    if (hasSocket && client.status !== 'end') await Promise.race([ended, delay(SHUTDOWN_WAIT_MS)]);
  }

  /**
   * Without a listener ioredis prints every connection error itself. The message may quote a
   * command's arguments, so only the error's code is logged, at most once per interval.
   */
  private listenForErrors(client: RedisClient): void {
    const onError = (error: unknown) => this.logError(error);
    client.on('error', onError);
    if (this.library && client instanceof this.library.Cluster) client.on('node error', onError);
  }

  private logError(error: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLogAt < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLogAt = now;
    // The store failing is an operator's matter (docs/api.md §17): error, at most once per interval.
    this.logger.error(`Redis connection error (${errorCode(error)}); commands fail at once until Redis answers again`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** A system code (ECONNREFUSED), or the first word of a Redis reply (WRONGPASS, READONLY), or the error's class. */
function errorCode(error: unknown): string {
  const { code, message, name } = (error ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code)) return code;
  const replyCode = typeof message === 'string' ? /^([A-Z]{3,20})(?: |$)/.exec(message)?.[1] : undefined;
  if (replyCode) return replyCode;
  return typeof name === 'string' && /^[A-Za-z]{1,32}$/.test(name) ? name : 'unknown';
}
