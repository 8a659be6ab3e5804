import { Inject, Injectable } from '@nestjs/common';
import { redisConfig, type RedisConfig, sessionsConfig, type SessionsConfig } from '../config';
import { type RedisClient, RedisConnection } from '../redis/redis.connection';
import { BestShotCipher } from './best-shot.cipher';
import { encodeFailure, encodeResult, fromHash, millis, pairsToHash, toHashArguments } from './redis-session.codec';
import { type CompleteArgs, SESSION_SCRIPTS, type SessionPipeline, type SessionScripts } from './redis-session.scripts';
import { RedisReviewQueue } from './redis-review-queue';
import { REVIEW_SCRIPTS, type ReviewScripts } from './redis-review.scripts';
import { pendingReview } from './review-queue';
import { storeUnavailable } from './session.errors';
import { SessionStore } from './session.store';
import type {
  BestShotHold,
  BestShotLookup,
  ReviewCursor,
  ReviewRecording,
  SessionFailure,
  SessionRecord,
  SessionResult,
  StoreRoom,
  UploadClaim,
  UploadLease,
} from './session.types';

const PING_TIMEOUT_MS = 1_000;
/** A staged best shot only outlives its pipeline when the script after it never ran (the connection broke between). */
const STAGED_BEST_SHOT_MS = 60_000;

/**
 * The store shared by every replica (docs/api.md §7). Layout, per session:
 * `<prefix>{<id>}:session` (hash, expires at purgeAt) and `<prefix>{<id>}:best-shot` (the
 * sealed image, expires at its heldUntil; staged for the completing script, for a moment, under
 * `<prefix>{<id>}:best-shot:staged:<claimId>`). Every change of a session is decided by one Lua
 * script (the staged best shot is written just before, and means nothing until the script takes
 * it); every Redis failure is STORE_UNAVAILABLE, never the client's message (it may quote
 * arguments). With Redis out of memory (noeviction), a completion with a best shot fails so too:
 * its SET is refused, and the session keeps its claim until the lease runs out.
 */
@Injectable()
export class RedisSessionStore extends SessionStore {
  private readonly cipher: BestShotCipher;
  private readonly reviews: RedisReviewQueue;

  constructor(
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
    @Inject(sessionsConfig.KEY) private readonly sessions: SessionsConfig,
    private readonly connection: RedisConnection,
  ) {
    super();
    if (!config.dataEncryptionKey) throw new Error('DATA_ENCRYPTION_KEY is required with REDIS_URL: best shots are encrypted with it');
    this.cipher = new BestShotCipher(config.dataEncryptionKey);
    for (const [name, definition] of Object.entries({ ...SESSION_SCRIPTS, ...REVIEW_SCRIPTS })) connection.client.defineCommand(name, definition);
    this.reviews = new RedisReviewQueue(config.keyPrefix, connection);
  }

  /** Redis holds as many sessions as its memory does; running out is a Redis failure (OOM → 503). */
  async room(): Promise<StoreRoom> {
    return { available: true };
  }

  async create(session: SessionRecord): Promise<StoreRoom> {
    const created = await this.run((redis) => redis.sessionCreate(...this.keys(session.id), millis(session.purgeAt), ...toHashArguments(session)));
    // Ids are random UUIDs: a second session under one id is a defect, not a full store.
    if (created !== 1) throw new Error('A session with this id is already stored');
    return { available: true };
  }

  async get(id: string, now: Date): Promise<SessionRecord | null> {
    const pairs = await this.run((redis) => redis.sessionRead(...this.keys(id), millis(now)));
    return pairs ? fromHash(id, pairsToHash(pairs), now) : null;
  }

  async claimForUpload(id: string, containerSha256: string, now: Date, lease: UploadLease): Promise<UploadClaim> {
    const [outcome, detail] = await this.run((redis) => redis.sessionClaim(...this.keys(id), millis(now), containerSha256, lease.claimId, millis(lease.until)));
    switch (outcome) {
      case 'claimed':
        return { outcome, lease: { claimId: lease.claimId, until: new Date(lease.until) }, captureMayBeUsed: detail === '1' };
      case 'in-progress':
        return { outcome, leaseUntil: new Date(Number(detail)) };
      case 'replay':
        return { outcome, session: fromHash(id, pairsToHash((detail as string[] | undefined) ?? []), now) };
      default:
        return { outcome: outcome as 'not-found' | 'expired' | 'already-used' };
    }
  }

  async release(id: string, claimId: string, captureMayBeUsed: boolean): Promise<void> {
    await this.run((redis) => redis.sessionRelease(...this.keys(id), claimId, captureMayBeUsed ? '1' : '0'));
  }

  /** With a best shot: SET of the sealed bytes and the script in one pipeline, one round trip. */
  async complete(id: string, claimId: string, result: SessionResult, bestShot: Buffer | null): Promise<BestShotHold | null> {
    await this.enqueueReview(id, result, result.completedAt);
    const [session, held] = this.keys(id);
    const staged = `${held}:staged:${claimId}`;
    const heldUntil = bestShot ? new Date(result.completedAt.getTime() + this.sessions.bestShotTtlSeconds * 1000) : null;
    const args: CompleteArgs = [session, held, staged, claimId, encodeResult(result), heldUntil ? millis(heldUntil) : ''];
    const done = bestShot
      ? (
          await this.batch('pipeline', (pipeline) =>
            pipeline.set(staged, this.cipher.encrypt(id, bestShot), 'PX', STAGED_BEST_SHOT_MS).sessionComplete(...args),
          )
        ).at(-1)
      : await this.run((redis) => redis.sessionComplete(...args));
    if (done === -1) throw storeUnavailable();
    return done === 1 ? { returned: bestShot !== null, heldUntil } : null;
  }

  async fail(id: string, claimId: string, failure: SessionFailure): Promise<boolean> {
    return (await this.run((redis) => redis.sessionFail(...this.keys(id), claimId, encodeFailure(failure)))) === 1;
  }

  /**
   * A face match that needs no review ends a pending one: its queue entry goes after the result is
   * stored, on a best-effort basis (below).
   */
  async recordBiometry(id: string, result: SessionResult, now: Date): Promise<boolean> {
    await this.enqueueReview(id, result, now);
    const recorded = (await this.run((redis) => redis.sessionRecordBiometry(...this.keys(id), millis(now), encodeResult(result)))) === 1;
    if (recorded && !pendingReview(result)) await this.unindex(id, null);
    return recorded;
  }

  async recordReview(id: string, expectedReceipt: string, result: SessionResult, now: Date): Promise<ReviewRecording> {
    const recorded = await this.run((redis) => redis.sessionRecordReview(...this.keys(id), millis(now), expectedReceipt, encodeResult(result)));
    if (recorded === 'recorded' && result.review) await this.unindex(id, result.review.since);
    return recorded;
  }

  /**
   * Once the session (the truth) is recorded, its queue entry is only a hint: a removal Redis
   * refuses must not turn a recorded decision into a 503, whose retry would find it recorded
   * already and its events unsent. Listings skip an entry whose session is not pending, and every
   * entry goes with its session's purge.
   */
  private async unindex(id: string, since: Date | null): Promise<void> {
    await this.reviews.remove(id, since).catch(() => undefined);
  }

  /**
   * The queue's entries, page by page, each checked against its session (the truth): a session
   * that is gone leaves the queue; one that is not pending (a replica died between recording its
   * review and removing its entry) is skipped, and its entry goes with its session at purgeAt.
   */
  async pendingReviews(after: ReviewCursor | null, limit: number, now: Date): Promise<SessionRecord[]> {
    const pending: SessionRecord[] = [];
    let cursor = after;
    while (pending.length < limit) {
      const entries = await this.reviews.page(cursor, limit - pending.length, now);
      if (entries.length === 0) break;
      const sessions = await Promise.all(entries.map((entry) => this.get(entry.sessionId, now)));
      for (const [index, session] of sessions.entries()) {
        if (session === null) await this.reviews.remove(entries[index].sessionId, entries[index].since);
        else if (pendingReview(session.result)) pending.push(session);
      }
      cursor = entries[entries.length - 1];
    }
    return pending;
  }

  countPendingReviews(now: Date): Promise<number> {
    return this.reviews.size(now);
  }

  /**
   * The state script and a GET of the sealed bytes in one MULTI: one round trip, atomic, and the
   * 200 KB never pass through Lua. A sealed value that does not decrypt (copied from another
   * session, another key) is a BestShotRefusedError, not a 503.
   */
  async getBestShot(id: string, now: Date): Promise<BestShotLookup> {
    const [session, held] = this.keys(id);
    const [reply, sealed] = await this.batch('multi', (multi) => multi.sessionBestShotState(session, held, millis(now)).getBuffer(held));
    const state = String(reply) as BestShotLookup['state'];
    if (state !== 'held') return { state };
    return sealed ? { state: 'held', bytes: this.cipher.decrypt(id, sealed as Buffer) } : { state: 'expired' };
  }

  async isHealthy(): Promise<boolean> {
    return this.connection.ping(PING_TIMEOUT_MS);
  }

  /**
   * A result whose review is pending enters the queue before it is stored (see RedisReviewQueue):
   * one more round trip, for the session's purgeAt, on the rare results that go to review.
   */
  private async enqueueReview(id: string, result: SessionResult, now: Date): Promise<void> {
    const review = pendingReview(result);
    if (!review) return;
    const purgeAt = await this.run((redis) => redis.hget(this.keys(id)[0], 'purgeAt'));
    if (purgeAt !== null) await this.reviews.add(id, review.since, new Date(Number(purgeAt)), now);
  }

  /** One hash tag per session: its keys live in one Cluster slot, so that one script can change both. */
  private keys(id: string): [session: string, bestShot: string] {
    const tagged = `${this.config.keyPrefix}{${id}}`;
    return [`${tagged}:session`, `${tagged}:best-shot`];
  }

  /** Every command's reply, in order, of one pipeline or MULTI; any command's error is STORE_UNAVAILABLE. */
  private async batch(kind: 'pipeline' | 'multi', commands: (batch: SessionPipeline) => SessionPipeline): Promise<unknown[]> {
    const replies = await this.run((redis) => commands(redis[kind]() as unknown as SessionPipeline).exec());
    if (!replies || replies.some(([error]) => error)) throw storeUnavailable();
    return replies.map(([, reply]) => reply);
  }

  private async run<T>(command: (redis: SessionScripts & ReviewScripts & RedisClient) => Promise<T>): Promise<T> {
    try {
      return await command(this.connection.client as SessionScripts & ReviewScripts & RedisClient);
    } catch {
      throw storeUnavailable();
    }
  }
}
