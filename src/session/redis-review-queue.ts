import type { RedisClient, RedisConnection } from '../redis/redis.connection';
import { millis } from './redis-session.codec';
import type { ReviewScripts } from './redis-review.scripts';
import { storeUnavailable } from './session.errors';
import type { ReviewCursor } from './session.types';

/** An entry of the queue: a session id and when its review began. */
export interface QueuedReview {
  sessionId: string;
  since: Date;
}

/**
 * The review queue every replica shares: an index of the sessions whose review is pending. It
 * lives under a hash tag of its own, so in a Cluster no script can change it together with a
 * session; the session hash is the truth and the queue a hint kept true around it:
 *
 * - an entry is added before its session's result is recorded (a replica that dies in between
 *   leaves an entry whose session is not pending, never a pending session missing from the queue);
 * - it is removed after the review is recorded, and only if still the same review;
 * - a listing shows only sessions that its read finds pending, and drops the entries whose session
 *   is gone; every listing, count and addition first drops the entries whose session's purgeAt
 *   has passed, so that no entry outlives its session.
 */
export class RedisReviewQueue {
  private readonly keys: [order: string, purge: string];

  constructor(
    keyPrefix: string,
    private readonly connection: RedisConnection,
  ) {
    this.keys = [`${keyPrefix}{reviews}:pending`, `${keyPrefix}{reviews}:purge`];
  }

  add(sessionId: string, since: Date, purgeAt: Date, now: Date): Promise<number> {
    return this.run((redis) => redis.reviewQueueAdd(...this.keys, millis(now), sessionId, millis(since), millis(purgeAt)));
  }

  /** `since`: only while the entry is still that review's; null: whatever it is (the session is no longer pending). */
  remove(sessionId: string, since: Date | null): Promise<number> {
    return this.run((redis) => redis.reviewQueueRemove(...this.keys, sessionId, since ? millis(since) : ''));
  }

  /** Up to `count` entries after `cursor`, in queue order. */
  async page(cursor: ReviewCursor | null, count: number, now: Date): Promise<QueuedReview[]> {
    const since = cursor ? millis(cursor.since) : '';
    const reply = await this.run((redis) => redis.reviewQueuePage(...this.keys, millis(now), since, cursor?.sessionId ?? '', String(count)));
    const entries: QueuedReview[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) entries.push({ sessionId: reply[i], since: new Date(Number(reply[i + 1])) });
    return entries;
  }

  size(now: Date): Promise<number> {
    return this.run((redis) => redis.reviewQueueSize(...this.keys, millis(now)));
  }

  private async run<T>(command: (redis: ReviewScripts & RedisClient) => Promise<T>): Promise<T> {
    try {
      return await command(this.connection.client as ReviewScripts & RedisClient);
    } catch {
      throw storeUnavailable();
    }
  }
}
