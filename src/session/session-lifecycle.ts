import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { unauthorized } from '../admission/admission';
import { AppError } from '../common/app-error';
import { ozConfig, type OzConfig, reviewsConfig, type ReviewsConfig, sessionsConfig, type SessionsConfig } from '../config';
import type { Assessment } from '../decision/decision.types';
import { ReceiptSigner } from '../receipts/receipt-signer';
import { Clock } from './clock';
import { copyRecord } from './record-copy';
import { type ReviewInput, reviewedResult, reviewOf, reviewReason } from './review';
import { pendingReview } from './review-queue';
import { type SessionEventType, SessionEvents } from './session-events';
import { bestShotExpired, bestShotNotFound, reviewNotPending, sessionNotFound } from './session.errors';
import { SessionStore } from './session.store';
import type {
  BestShotLookup,
  ReviewCursor,
  SessionFailure,
  SessionRecord,
  SessionResult,
  SessionSubject,
  StoreRoom,
  UploadClaim,
  UploadLease,
} from './session.types';

/** A lease outlives the Oz call it covers (OZ_TIMEOUT_MS) by this much: docs/api.md §7. */
const LEASE_MARGIN_MS = 10_000;

/** The store's answer to a claim (in progress is refused here, with its Retry-After); when claimed, with the session as the claim holds it. */
export type Claim = Exclude<UploadClaim, { outcome: 'claimed' | 'in-progress' }> | { outcome: 'claimed'; lease: UploadLease; session: SessionRecord };

/** What Oz answered about a container, as the lifecycle records it. */
export interface LivenessFindings {
  assessment: Assessment;
  folderId: string | null;
  eventSessionId: string | null;
  bestShot: Buffer | null;
}

/**
 * The only code that changes a session: it opens, claims, releases, completes and fails sessions
 * and records face matches, through the store, and publishes one event per recorded change. Every
 * decision it records is signed (a receipt) before it is stored, so the stored answer and the
 * receipt can never disagree.
 */
@Injectable()
export class SessionLifecycle {
  constructor(
    private readonly store: SessionStore,
    private readonly clock: Clock,
    private readonly events: SessionEvents,
    private readonly receipts: ReceiptSigner,
    @Inject(ozConfig.KEY) private readonly oz: OzConfig,
    @Inject(sessionsConfig.KEY) private readonly config: SessionsConfig,
    @Optional() @Inject(reviewsConfig.KEY) private readonly reviews: ReviewsConfig = { inconclusive: false },
  ) {}

  now(): Date {
    return this.clock.now();
  }

  /** How long an upload's claim holds the session: its Oz call's deadline and a margin (§7). */
  private get leaseMs(): number {
    return this.oz.timeoutMs + LEASE_MARGIN_MS;
  }

  /** For readiness: does the store answer (Redis: a PING within 1 s)? */
  storeAnswers(): Promise<boolean> {
    return this.store.isHealthy().catch(() => false);
  }

  room(): Promise<StoreRoom> {
    return this.store.room();
  }

  /** For the metrics: a best shot the store let go before BEST_SHOT_TTL_SECONDS. */
  onBestShotLetGoEarly(listener: () => void): void {
    this.store.onBestShotLetGoEarly(listener);
  }

  async open(subject: SessionSubject, token: string, tokenExpiresAt: Date | null): Promise<SessionRecord> {
    const now = this.clock.now();
    const session: SessionRecord = {
      id: randomUUID(),
      subjectId: subject.subjectId,
      subjectVerified: subject.subjectVerified,
      createdAt: now,
      expiresAt: tokenExpiresAt ?? new Date(now.getTime() + this.oz.sessionTtlSeconds * 1000),
      purgeAt: new Date(now.getTime() + this.config.resultTtlSeconds * 1000),
      tokenSha256: sha256(token),
      status: 'open',
      lease: null,
      containerSha256: null,
      captureMayBeUsed: false,
      result: null,
      failure: null,
      bestShot: { returned: false, heldUntil: null },
    };
    const stored = await this.store.create(session);
    if (!stored.available) throw storeFull(stored.retryAfterSeconds);
    await this.events.publish({ type: 'session.opened', session });
    return session;
  }

  async find(id: string): Promise<SessionRecord> {
    const session = await this.store.get(id, this.clock.now());
    if (!session) throw sessionNotFound();
    return session;
  }

  /** The best shot Oz returned, bytes exactly as received, while BEST_SHOT_TTL_SECONDS holds it. */
  bestShotOf(id: string): Promise<BestShotLookup> {
    return this.store.getBestShot(id, this.clock.now());
  }

  /** The held best shot, or why there is none: 404 session, 404 none returned, 410 no longer held. */
  async bestShot(id: string): Promise<Buffer> {
    const lookup = await this.bestShotOf(id);
    switch (lookup.state) {
      case 'held':
        return lookup.bytes;
      case 'session-not-found':
        throw sessionNotFound();
      case 'none':
        throw bestShotNotFound();
      case 'expired':
        throw bestShotExpired();
    }
  }

  /**
   * Before an upload's body is read (docs/api.md §1, §3 order): 404 unknown, 401 not this session's
   * token, 410 an open session past its expiry, 409 while another upload of it is with Oz.
   */
  async admitUpload(id: string, token: string): Promise<SessionRecord> {
    const now = this.clock.now();
    const session = await this.store.get(id, now);
    if (!session) throw sessionNotFound();
    if (!tokenMatches(session.tokenSha256, token)) throw unauthorized("The bearer token is not this session's token.");
    if (session.status === 'open' && now >= session.expiresAt) throw sessionExpired();
    if (session.status === 'processing') throw sessionInProgress(retryAfter(session.lease?.until ?? null, now));
    return session;
  }

  /** The atomic claim of an admitted session for this container; when claimed, the session as now held. */
  async claimUpload(session: SessionRecord, containerSha256: string): Promise<Claim> {
    const now = this.clock.now();
    const lease: UploadLease = { claimId: randomUUID(), until: new Date(now.getTime() + this.leaseMs) };
    const claim = await this.store.claimForUpload(session.id, containerSha256, now, lease);
    if (claim.outcome === 'in-progress') throw sessionInProgress(retryAfter(claim.leaseUntil, now));
    if (claim.outcome !== 'claimed') return claim;
    const { captureMayBeUsed } = claim;
    return { ...claim, session: { ...session, status: 'processing', lease: claim.lease, containerSha256, captureMayBeUsed } };
  }

  /**
   * Processing → open again after a failure that leaves the session usable. `captureMayBeUsed`:
   * the call sent all its bytes and got no usable answer, so Oz may have used the token (§18).
   */
  releaseUpload(id: string, lease: UploadLease, captureMayBeUsed = false): Promise<void> {
    return this.store.release(id, lease.claimId, captureMayBeUsed);
  }

  async completeLiveness(session: SessionRecord, lease: UploadLease, findings: LivenessFindings): Promise<SessionRecord> {
    const completedAt = this.clock.now();
    const { assessment } = findings;
    const receipt = this.sign(session, assessment, findings, completedAt);
    const eventId = eventIdOf();
    const result: SessionResult = {
      ...assessment,
      receipt,
      folderId: findings.folderId,
      eventSessionId: findings.eventSessionId,
      completedAt,
      liveness: { decision: assessment.decision, reason: assessment.reason, receipt, eventId },
      biometry: null,
      review: reviewOf(assessment, completedAt, this.reviews.inconclusive),
    };
    const bestShot = await this.store.complete(session.id, lease.claimId, result, findings.bestShot);
    if (!bestShot) throw claimLost(this.leaseMs);
    return this.recorded('verification.completed', eventId, { ...session, status: 'completed', lease: null, result, bestShot });
  }

  async failLiveness(session: SessionRecord, lease: UploadLease, failure: Omit<SessionFailure, 'failedAt' | 'eventId'>): Promise<SessionRecord> {
    const stored: SessionFailure = { ...failure, failedAt: this.clock.now(), eventId: eventIdOf() };
    if (!(await this.store.fail(session.id, lease.claimId, stored))) throw claimLost(this.leaseMs);
    return this.recorded('verification.failed', stored.eventId, { ...session, status: 'failed', lease: null, failure: stored });
  }

  /** A client retry got the stored answer again: listeners make sure its event was not lost. */
  replayed(session: SessionRecord): Promise<void> {
    return this.events.publish({ type: 'verification.replayed', session });
  }

  async recordBiometry(session: SessionRecord, assessment: Assessment, folderId: string | null): Promise<SessionRecord> {
    const result = session.result;
    if (!result) throw new Error(`session ${session.id} has no result to add a face match to`);
    const completedAt = this.clock.now();
    const receipt = this.sign(session, assessment, { folderId: result.folderId, eventSessionId: result.eventSessionId }, completedAt);
    const eventId = eventIdOf();
    const review = reviewOf(assessment, completedAt, this.reviews.inconclusive);
    const updated: SessionResult = { ...result, ...assessment, receipt, biometry: { eventId, completedAt, folderId }, review };
    if (!(await this.store.recordBiometry(session.id, updated, completedAt))) throw sessionNotFound();
    return this.recorded('biometry.completed', eventId, { ...session, result: updated });
  }

  /**
   * A reviewer's decision replaces the one under review (docs/api.md §15), signed with who decided.
   * The store records it only if the result is still the one read here (a compare-and-set on its
   * receipt), so of two reviewers at once one wins and the other gets 409, as does a review of a
   * decision a face match replaced since. Publishes `review.completed`, the seam for whoever counts
   * a reviewer's rejection as a failed attempt.
   */
  async recordReview(id: string, input: ReviewInput): Promise<SessionRecord> {
    const session = await this.find(id);
    const result = session.result;
    const review = pendingReview(result);
    if (!result || !review) throw reviewNotPending();
    const decidedAt = this.clock.now();
    const assessment: Assessment = { decision: input.decision, reason: reviewReason(input.decision), checks: result.checks };
    const receipt = this.sign(session, assessment, result, decidedAt, { reviewer: input.reviewer, decidedAt });
    const eventId = eventIdOf();
    const updated = reviewedResult(result, review, input, { receipt, decidedAt, eventId });
    const recorded = await this.store.recordReview(id, result.receipt, updated, decidedAt);
    if (recorded === 'not-found') throw sessionNotFound();
    if (recorded === 'changed') throw reviewNotPending();
    return this.recorded('review.completed', eventId, { ...session, result: updated });
  }

  /** Pending reviews, oldest first, after `cursor`. */
  pendingReviews(cursor: ReviewCursor | null, limit: number): Promise<SessionRecord[]> {
    return this.store.pendingReviews(cursor, limit, this.clock.now());
  }

  /** For the metrics: the size of the review queue (with Redis, the one all replicas share). */
  countPendingReviews(): Promise<number> {
    return this.store.countPendingReviews(this.clock.now());
  }

  private sign(
    session: SessionRecord,
    assessment: Assessment,
    ids: { folderId: string | null; eventSessionId: string | null },
    issuedAt: Date,
    review?: { reviewer: string; decidedAt: Date },
  ): string {
    return this.receipts.sign({
      sessionId: session.id,
      subjectId: session.subjectId,
      subjectVerified: session.subjectVerified,
      decision: assessment.decision,
      reason: assessment.reason,
      folderId: ids.folderId,
      eventSessionId: ids.eventSessionId,
      checks: assessment.checks.map((check) => ({ type: check.type, resolution: check.resolution })),
      issuedAt,
      review,
    });
  }

  /**
   * The session as the store now holds it (built from what was written, not read back: one Redis
   * round trip less on every upload), published to the listeners before the caller answers.
   */
  private async recorded(
    type: Exclude<SessionEventType, 'session.opened' | 'verification.replayed'>,
    eventId: string,
    session: SessionRecord,
  ): Promise<SessionRecord> {
    await this.events.publish({ type, eventId, session: copyRecord(session) });
    return session;
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant time: the digests have one length whatever was presented. */
function tokenMatches(expectedSha256: string, presented: string): boolean {
  return timingSafeEqual(Buffer.from(expectedSha256, 'hex'), createHash('sha256').update(presented).digest());
}

function eventIdOf(): string {
  return `evt_${randomUUID().replace(/-/g, '')}`;
}

export const sessionExpired = () => new AppError('SESSION_EXPIRED', 'The session expired before a container arrived. Start a new session.');

/** With the seconds until the upload holding the session ends at the latest (its lease), §18. */
export function sessionInProgress(retryAfterSeconds: number): AppError {
  return new AppError('SESSION_IN_PROGRESS', 'A container for this session is being analysed.', { retryAfterSeconds });
}

/** Whole seconds until `until`, at least 1 (a lease about to end still asks for a moment). */
function retryAfter(until: Date | null, now: Date): number {
  return until ? Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) : 1;
}

/** The store takes no more sessions now (the in-memory store full of results). */
export function storeFull(retryAfterSeconds: number): AppError {
  return new AppError('SERVICE_BUSY', 'Too many sessions are held; retry later.', { retryAfterSeconds });
}

/**
 * The lease ran out while Oz answered and another upload took the session: a retry learns what
 * was stored, at the latest when that upload's lease ends.
 */
function claimLost(leaseMs: number): AppError {
  return sessionInProgress(Math.ceil(leaseMs / 1000));
}
