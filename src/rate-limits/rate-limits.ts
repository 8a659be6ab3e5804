import { isIPv6 } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import RateLimiterMemory from 'rate-limiter-flexible/lib/RateLimiterMemory';
import RateLimiterRedis from 'rate-limiter-flexible/lib/RateLimiterRedis';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes';
import { AppError } from '../common/app-error';
import { storeUnavailable } from '../common/store-unavailable';
import { rateLimitsConfig, type RateLimitsConfig, redisConfig, type RedisConfig } from '../config';
import { RedisConnection } from '../redis/redis.connection';

export type LimitName = 'address' | 'subject';

/** Called when a limit refuses a request; the metrics count refusals per limit. */
export type RefusalListener = (limit: LimitName) => void;

/**
 * The limits of docs/api.md §8 on POST /v1/sessions, with rate-limiter-flexible: in memory for one
 * replica, on Redis (shared by every replica) when REDIS_URL is set. Fixed windows; a refused
 * request is given back, so that it does not count.
 */
@Injectable()
export class RateLimits {
  private readonly address: RateLimiterAbstract | null;
  private readonly subject: RateLimiterAbstract | null;
  private readonly listeners: RefusalListener[] = [];

  constructor(@Inject(rateLimitsConfig.KEY) config: RateLimitsConfig, @Inject(redisConfig.KEY) redis: RedisConfig, connection: RedisConnection) {
    const limiter = (name: LimitName, points: number, duration: number): RateLimiterAbstract | null => {
      if (points === 0) return null;
      const options = { points, duration, keyPrefix: `${redis.keyPrefix}rate:${name}` };
      return connection.enabled ? new RateLimiterRedis({ ...options, storeClient: connection.client }) : new RateLimiterMemory(options);
    };
    this.address = limiter('address', config.sessionsPerAddressPerMinute, 60);
    this.subject = limiter('subject', config.sessionsPerSubjectPerHour, 3600);
  }

  onRefusal(listener: RefusalListener): void {
    this.listeners.push(listener);
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
      for (const listener of this.listeners) listener(name);
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
