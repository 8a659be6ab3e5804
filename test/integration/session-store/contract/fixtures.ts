import { createHash, randomUUID } from 'node:crypto';
import type { SessionStore } from '../../../../src/session/session.store';
import type { SessionFailure, SessionRecord, SessionResult, UploadLease } from '../../../../src/session/session.types';

/** What every store of the suite is configured with. */
export const RESULT_TTL_SECONDS = 3_600;
export const BEST_SHOT_TTL_SECONDS = 600;
export const CONTRACT_SESSIONS_CONFIG = { resultTtlSeconds: RESULT_TTL_SECONDS, bestShotTtlSeconds: BEST_SHOT_TTL_SECONDS };

export const SESSION_TTL_MS = 900_000;
export const LEASE_MS = 70_000;
export const PURGE_MS = RESULT_TTL_SECONDS * 1000;
export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);
export const BEST_SHOT = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
/** What complete() answers for a result without a best shot. */
export const NO_BEST_SHOT = { returned: false, heldUntil: null };

/** A store under test and the instants it is asked about: `at(ms)` is T0 + ms, the session's creation being T0. */
export interface Subject {
  store: SessionStore;
  at(ms: number): Date;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function lease(until: Date): UploadLease {
  return { claimId: randomUUID(), until };
}

export function sessionAt(t0: Date, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const at = (ms: number) => new Date(t0.getTime() + ms);
  return {
    id: randomUUID(),
    subjectId: null,
    subjectVerified: false,
    createdAt: t0,
    expiresAt: at(SESSION_TTL_MS),
    purgeAt: at(PURGE_MS),
    tokenSha256: sha256('the Oz session token'),
    status: 'open',
    lease: null,
    containerSha256: null,
    result: null,
    failure: null,
    captureMayBeUsed: false,
    bestShot: { returned: false, heldUntil: null },
    ...overrides,
  };
}

export function result(completedAt: Date): SessionResult {
  return {
    decision: 'accepted',
    reason: 'LIVENESS_PASSED',
    checks: [{ type: 'liveness', resolution: 'SUCCESS', score: 0.03, errorCode: null, errorMessage: null }],
    receipt: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzIn0.c2ln',
    folderId: 'folder-1',
    eventSessionId: null,
    completedAt,
    liveness: { decision: 'accepted', reason: 'LIVENESS_PASSED', receipt: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzIn0.c2ln', eventId: 'event-1' },
    biometry: null,
    review: null,
  };
}

export function biometryResult(completedAt: Date): SessionResult {
  return {
    ...result(completedAt),
    decision: 'rejected',
    reason: 'FACE_MISMATCH',
    checks: [
      { type: 'liveness', resolution: 'SUCCESS', score: 0.03, errorCode: null, errorMessage: null },
      { type: 'biometry', resolution: 'DECLINED', similarity: 0.12, errorCode: null, errorMessage: null },
    ],
    receipt: 'eyJhbGciOiJFUzI1NiJ9.eyJiaW8iOjF9.c2ln',
    biometry: { eventId: 'event-2', completedAt: new Date(completedAt.getTime() + 5_000), folderId: 'folder-2' },
  };
}

/** A result under human review since `since`; its receipt is its own, as every recorded decision's is. */
export function underReview(completedAt: Date, since: Date): SessionResult {
  return {
    ...result(completedAt),
    decision: 'inconclusive',
    reason: 'REVIEW_REQUIRED',
    receipt: `receipt-${randomUUID()}`,
    review: { since, reason: 'REVIEW_REQUIRED', verdict: null },
  };
}

export function failure(failedAt: Date): SessionFailure {
  return { code: 'CONTAINER_INVALID', detail: 'bad container', ozErrorCode: 14, failedAt, eventId: 'event-3' };
}

/** Steps a session through the store the way the lifecycle does; each asserts that the store agreed. */
export function steps({ store, at }: Subject) {
  async function created(overrides: Partial<SessionRecord> = {}): Promise<SessionRecord> {
    const record = sessionAt(at(0), overrides);
    await expect(store.create(record)).resolves.toEqual({ available: true });
    return record;
  }

  async function claimed(sha = SHA_A, now = at(500)): Promise<{ record: SessionRecord; claim: UploadLease }> {
    const record = await created();
    const claim = lease(new Date(now.getTime() + LEASE_MS));
    await expect(store.claimForUpload(record.id, sha, now, claim)).resolves.toEqual({ outcome: 'claimed', lease: claim, captureMayBeUsed: false });
    return { record, claim };
  }

  /** Claimed and completed with container SHA_A. */
  async function completed(bestShot: Buffer | null = BEST_SHOT, completedAt = at(1_000)): Promise<SessionRecord> {
    const { record, claim } = await claimed();
    const heldUntil = bestShot ? new Date(completedAt.getTime() + BEST_SHOT_TTL_SECONDS * 1000) : null;
    await expect(store.complete(record.id, claim.claimId, result(completedAt), bestShot)).resolves.toEqual({ returned: bestShot !== null, heldUntil });
    return record;
  }

  /** Claimed and failed for good with container SHA_A. */
  async function failed(): Promise<SessionRecord> {
    const { record, claim } = await claimed();
    await expect(store.fail(record.id, claim.claimId, failure(at(1_000)))).resolves.toBe(true);
    return record;
  }

  return { created, claimed, completed, failed };
}
