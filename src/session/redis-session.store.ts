import { Inject, Injectable } from '@nestjs/common';
import { redisConfig, type RedisConfig, sessionsConfig, type SessionsConfig } from '../config';
import { type RedisClient, RedisConnection } from '../redis/redis.connection';
import { BestShotCipher } from './best-shot.cipher';
import { encodeFailure, encodeResult, fromHash, millis, pairsToHash, toHashArguments } from './redis-session.codec';
import { type CompleteArgs, SESSION_SCRIPTS, type SessionPipeline, type SessionScripts } from './redis-session.scripts';
import { storeUnavailable } from './session.errors';
import { SessionStore } from './session.store';
import type { BestShotHold, BestShotLookup, SessionFailure, SessionRecord, SessionResult, StoreRoom, UploadClaim, UploadLease } from './session.types';

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

  constructor(
    @Inject(redisConfig.KEY) private readonly config: RedisConfig,
    @Inject(sessionsConfig.KEY) private readonly sessions: SessionsConfig,
    private readonly connection: RedisConnection,
  ) {
    super();
    if (!config.dataEncryptionKey) throw new Error('DATA_ENCRYPTION_KEY is required with REDIS_URL: best shots are encrypted with it');
    this.cipher = new BestShotCipher(config.dataEncryptionKey);
    for (const [name, definition] of Object.entries(SESSION_SCRIPTS)) connection.client.defineCommand(name, definition);
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

  async recordBiometry(id: string, result: SessionResult, now: Date): Promise<boolean> {
    return (await this.run((redis) => redis.sessionRecordBiometry(...this.keys(id), millis(now), encodeResult(result)))) === 1;
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

  private async run<T>(command: (redis: SessionScripts & RedisClient) => Promise<T>): Promise<T> {
    try {
      return await command(this.connection.client as SessionScripts & RedisClient);
    } catch {
      throw storeUnavailable();
    }
  }
}
