import { isIPv6 } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import RateLimiterRedis from 'rate-limiter-flexible/lib/RateLimiterRedis';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes';
import { AppError } from '../common/app-error';
import { storeUnavailable } from '../common/store-unavailable';
import { rateLimitsConfig, type RateLimitsConfig, redisConfig, type RedisConfig } from '../config';
import { RedisConnection } from '../redis/redis.connection';
import { BoundedWindows, RateLimiterBoundedMemory } from './bounded-memory-limiter';

export type LimitName = 'address' | 'subject';

/** Called when a limit refuses a request, or (in memory) drops a window early; the metrics count both per limit. */
export type LimitListener = (limit: LimitName) => void;

/**
 * Windows each in-memory limit keeps at most (about 300 bytes each, 30 MiB in all): a replica's
 * 100,000 sessions, from as many addresses or subjects. Past it the oldest window goes first.
 */
export const MAX_WINDOWS_IN_MEMORY = 100_000;

/**
 * The limits of docs/api.md §8 on POST /v1/sessions, with rate-limiter-flexible: in memory for one
 * replica (at most MAX_WINDOWS_IN_MEMORY keys per limit), on Redis (shared by every replica) when
 * REDIS_URL is set. Fixed windows; a refused request is given back, so that it does not count.
 */
@Injectable()
export class RateLimits {
  private readonly address: RateLimiterAbstract | null;
  private readonly subject: RateLimiterAbstract | null;
  private readonly refusalListeners: LimitListener[] = [];
  private readonly droppedEarlyListeners: LimitListener[] = [];

  constructor(@Inject(rateLimitsConfig.KEY) config: RateLimitsConfig, @Inject(redisConfig.KEY) redis: RedisConfig, connection: RedisConnection) {
    const limiter = (name: LimitName, points: number, duration: number): RateLimiterAbstract | null => {
      if (points === 0) return null;
      const options = { points, duration, keyPrefix: `${redis.keyPrefix}rate:${name}` };
      if (connection.enabled) return new RateLimiterRedis({ ...options, storeClient: connection.client });
      const store = new BoundedWindows(MAX_WINDOWS_IN_MEMORY, duration * 1000, () => this.droppedEarlyListeners.forEach((listener) => listener(name)));
      return new RateLimiterBoundedMemory({ points, keyPrefix: options.keyPrefix, store });
    };
    this.address = limiter('address', config.sessionsPerAddressPerMinute, 60);
    this.subject = limiter('subject', config.sessionsPerSubjectPerHour, 3600);
  }

  onRefusal(listener: LimitListener): void {
    this.refusalListeners.push(listener);
  }

  /** A window the in-memory limit dropped before its end, to stay within MAX_WINDOWS_IN_MEMORY. */
  onWindowDroppedEarly(listener: LimitListener): void {
    this.droppedEarlyListeners.push(listener);
  }

  /** Counts one request of this client address; sets the RateLimit-* headers; 429 over the limit. */
  async admitAddress(ip: string, reply: FastifyReply): Promise<void> {
    if (!this.address) return;
    const state = await this.take(this.address, addressKey(ip), 'address');
    void reply.headers({
      'ratelimit-limit': String(this.address.points),
      'ratelimit-remaining': String(Math.max(0, state.remainingPoints)),
      'ratelimit-reset': String(secondsOf(state.msBeforeNext)),
    });
    if (state.refused) throw rateLimited(state.msBeforeNext, 'Too many sessions from this address; retry later.');
  }

  /**
   * A call the address limit does not count (one with an internal key, docs/api.md §14): its answer
   * still says where its address stands (§8: every answer of the route carries the headers). A
   * store that does not answer costs the headers, never the call.
   */
  async describeAddress(ip: string, reply: FastifyReply): Promise<void> {
    if (!this.address) return;
    const state = await this.address.get(addressKey(ip)).catch(() => undefined);
    if (state === undefined) return;
    void reply.headers({
      'ratelimit-limit': String(this.address.points),
      'ratelimit-remaining': String(Math.max(0, state ? state.remainingPoints : this.address.points)),
      'ratelimit-reset': String(secondsOf(state ? state.msBeforeNext : this.address.duration * 1000)),
    });
  }

  /** Counts one new session of this subject; 429 over the limit. The last check before Oz (docs/api.md §3). */
  async admitSubject(subjectId: string): Promise<void> {
    if (!this.subject) return;
    const state = await this.take(this.subject, subjectId, 'subject');
    if (state.refused) throw rateLimited(state.msBeforeNext, 'Too many sessions for this subject; retry later.');
  }

  /** The session was not created after all (Oz gave no token): it does not count against its subject. */
  async giveBackSubject(subjectId: string): Promise<void> {
    await this.subject?.reward(subjectId, 1).catch(() => undefined);
  }

  private async take(limiter: RateLimiterAbstract, key: string, name: LimitName): Promise<{ refused: boolean; remainingPoints: number; msBeforeNext: number }> {
    try {
      const res = await limiter.consume(key, 1);
      return { refused: false, remainingPoints: res.remainingPoints, msBeforeNext: res.msBeforeNext };
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw storeUnavailable();
      await limiter.reward(key, 1).catch(() => undefined);
      for (const listener of this.refusalListeners) listener(name);
      return { refused: true, remainingPoints: 0, msBeforeNext: error.msBeforeNext };
    }
  }
}

function rateLimited(msBeforeNext: number, detail: string): AppError {
  return new AppError('RATE_LIMITED', detail, { retryAfterSeconds: secondsOf(msBeforeNext) });
}

function secondsOf(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * One key per IPv4 address; per /64 for IPv6, the block one subscriber gets (a client that owns
 * 2^64 addresses must not get 2^64 budgets, nor fill memory with counters).
 */
export function addressKey(ip: string): string {
  if (!isIPv6(ip) || ip.startsWith('::ffff:')) return ip.replace(/^::ffff:/, '');
  const groups = expandIPv6(ip);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head, tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = ip.includes('::') ? 8 - left.length - right.length : 0;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
