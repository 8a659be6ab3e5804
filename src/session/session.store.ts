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

/**
 * Everything replicas must share about sessions: the port that the in-memory store (one replica)
 * and the Redis store (any number) implement, and that one contract suite tests for both.
 *
 * - Every method that changes state is atomic (Redis: decided by one Lua script), so that two uploads of
 *   one session on two replicas can never both reach Oz.
 * - Reads return copies: changing a returned record changes nothing stored.
 * - `now` is the caller's clock for every time rule (expiry, purge, leases, best-shot hold);
 *   the Redis store also sets key TTLs from the same instants so that Redis forgets on its own.
 * - Only `SessionLifecycle` calls it; no other code changes session state.
 */
export abstract class SessionStore {
  /** In O(1): could a new session be stored now? Asked before the Oz token call. */
  abstract room(): Promise<StoreRoom>;
  /** Stores a new open session, or says why not (the store may have filled since `room()`). */
  abstract create(session: SessionRecord): Promise<StoreRoom>;
  /** A copy of the session unless unknown or purged. */
  abstract get(id: string, now: Date): Promise<SessionRecord | null>;
  /**
   * Open → processing for this container under `lease`, or why not, in docs/api.md §3 precedence:
   * not-found, expired (not yet completed or failed, and past expiresAt: 410 comes before 409),
   * in-progress (a live lease), then for a
   * completed or failed session: replay (same SHA-256) or already-used. A lease past its `until`
   * counts as released: the session is open again, and marked `captureMayBeUsed` (the call it
   * covered may have reached Oz). A claim answers that mark; in-progress answers when the lease holding it ends.
   */
  abstract claimForUpload(id: string, containerSha256: string, now: Date, lease: UploadLease): Promise<UploadClaim>;
  /**
   * Processing → open again, when the claim is still this one's (a failure that leaves the session
   * usable); `captureMayBeUsed` marks it for good when the call may have reached Oz (§18).
   */
  abstract release(id: string, claimId: string, captureMayBeUsed: boolean): Promise<void>;
  /**
   * Processing → completed, when the claim is still this one's; null when it is not (the lease
   * ran out and another upload claimed the session). The best shot is held until
   * `result.completedAt` + BEST_SHOT_TTL_SECONDS, or less if the store cannot hold it that long;
   * the answer is the hold as stored, which is what the session reads as from now on.
   */
  abstract complete(id: string, claimId: string, result: SessionResult, bestShot: Buffer | null): Promise<BestShotHold | null>;
  /** Processing → failed for good, when the claim is still this one's; false when it is not. */
  abstract fail(id: string, claimId: string, failure: SessionFailure): Promise<boolean>;
  /** Replaces the result of a completed session (after face matching); false when it is gone or not completed. */
  abstract recordBiometry(id: string, result: SessionResult, now: Date): Promise<boolean>;
  abstract getBestShot(id: string, now: Date): Promise<BestShotLookup>;
  /**
   * Replaces the result of a completed session with a reviewer's, if the session's result is still
   * the one `expectedReceipt` signed (a compare-and-set: of two reviewers at once, one records and
   * the other gets `changed`). `complete` and `recordBiometry` enter a result whose review is
   * pending into the review queue; a result without a pending review leaves it (docs/api.md §15).
   */
  abstract recordReview(id: string, expectedReceipt: string, result: SessionResult, now: Date): Promise<ReviewRecording>;
  /** Up to `limit` sessions whose review is pending, oldest `since` first (then by id), after `after`. */
  abstract pendingReviews(after: ReviewCursor | null, limit: number, now: Date): Promise<SessionRecord[]>;
  /** How many reviews are pending (with Redis: in the queue all replicas share). */
  abstract countPendingReviews(now: Date): Promise<number>;
  /** For readiness: does the store answer (Redis: a PING within 1 s)? */
  abstract isHealthy(): Promise<boolean>;
  /**
   * Calls `listener` for every best shot let go before BEST_SHOT_TTL_SECONDS (the in-memory
   * store's byte cap). The Redis store never does so itself: it keeps every one for its TTL.
   */
  onBestShotLetGoEarly(listener: () => void): void {
    void listener;
  }
}
