import type { ProblemCode } from '../common/problem-codes';
import type { Check, Decision, DecisionReason } from '../decision/decision.types';

/** Stored states; `expired` is derived when reading (an open session past its `expiresAt`). */
export type StoredStatus = 'open' | 'processing' | 'completed' | 'failed';
export const SESSION_STATUSES = ['open', 'processing', 'completed', 'failed', 'expired'] as const satisfies (StoredStatus | 'expired')[];
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * The liveness answer exactly as first given: a replayed container gets it again, byte for byte
 * (receipt included), whatever face matching decided since.
 */
export interface LivenessOutcome {
  decision: Decision;
  reason: DecisionReason;
  receipt: string;
  /** The id of the `verification.completed` event this result raised (webhook-id). */
  eventId: string;
}

export interface SessionResult {
  /** The current decision: liveness alone, or recomputed by the latest face match. */
  decision: Decision;
  reason: DecisionReason;
  checks: Check[];
  /** The signed receipt of the current decision (docs/api.md §11). */
  receipt: string;
  folderId: string | null;
  eventSessionId: string | null;
  completedAt: Date;
  liveness: LivenessOutcome;
  /** The latest face match, when one was recorded: its Oz folder and its `biometry.completed` event. */
  biometry: { eventId: string; completedAt: Date; folderId: string | null } | null;
  /** Human review of the current decision (docs/api.md §15), when it went to review; null otherwise. */
  review: SessionReview | null;
}

/**
 * A decision Oz could not settle, held for a person: pending until a reviewer decides. It lives in
 * the result, so that it is stored, expires and is purged with the session (and a reviewer's note
 * with it); a new decision recorded on the session (a face match) starts it afresh.
 */
export interface SessionReview {
  /** When the decision that sent the session to review was recorded: the queue's order. */
  since: Date;
  /** That decision's reason (REVIEW_REQUIRED, or any inconclusive one with REVIEW_INCONCLUSIVE). */
  reason: DecisionReason;
  /** Null while pending. */
  verdict: ReviewVerdict | null;
}

export const REVIEW_DECISIONS = ['accepted', 'rejected'] as const satisfies Decision[];
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export interface ReviewVerdict {
  decision: ReviewDecision;
  reviewer: string;
  /** Free text: kept with the session only, never logged, sent or signed. */
  note: string | null;
  decidedAt: Date;
  /** The id of the `review.completed` event it raised (webhook-id). */
  eventId: string;
}

/** Where a page of the review queue starts: after this entry (keyset paging on since, then session id). */
export interface ReviewCursor {
  since: Date;
  sessionId: string;
}

/** Whether a review was recorded: a compare-and-set on the session's current receipt. */
export type ReviewRecording = 'recorded' | 'not-found' | 'changed';

/** A final failure, kept to answer a client retry of the same bytes with the same error. */
export interface SessionFailure {
  code: ProblemCode;
  detail: string;
  ozErrorCode: number | null;
  failedAt: Date;
  /** The id of the `verification.failed` event this failure raised. */
  eventId: string;
}

/** An upload's hold on a session while Oz analyses it; a lease, so that a dead replica strands nothing. */
export interface UploadLease {
  claimId: string;
  until: Date;
}

/** Whom a session is for: the subject, and whether the company vouched for it (docs/api.md §14). */
export interface SessionSubject {
  subjectId: string | null;
  subjectVerified: boolean;
}

export interface SessionRecord {
  id: string;
  subjectId: string | null;
  /** The company vouched for the subject (an internal key or a verified token, docs/api.md §14); false for the browser's word. */
  subjectVerified: boolean;
  createdAt: Date;
  expiresAt: Date;
  /** When the session and everything about it is forgotten (RESULT_TTL_SECONDS after creation). */
  purgeAt: Date;
  /** SHA-256 (hex) of the Oz session token: the proof an upload must carry (docs/api.md §1). */
  tokenSha256: string;
  status: StoredStatus;
  /** Set while `processing`; a lease past `until` counts as released. */
  lease: UploadLease | null;
  /** SHA-256 (hex) of the container being analysed, or of the one that completed or failed the session. */
  containerSha256: string | null;
  /**
   * Oz may already have used this session's token (docs/api.md §18): an analysis call sent all its
   * bytes and got no usable answer, or a lease ran out while its call was with Oz. A later code 14
   * then means "capture again", not "the container is invalid".
   */
  captureMayBeUsed: boolean;
  result: SessionResult | null;
  failure: SessionFailure | null;
  bestShot: BestShotHold;
}

/** Whether Oz returned a best shot, and until when its bytes are held (the store decides: it may hold them for less). */
export interface BestShotHold {
  returned: boolean;
  heldUntil: Date | null;
}

export type UploadClaim =
  | { outcome: 'claimed'; lease: UploadLease; captureMayBeUsed: boolean }
  | { outcome: 'not-found' }
  | { outcome: 'expired' }
  | { outcome: 'in-progress'; leaseUntil: Date }
  | { outcome: 'already-used' }
  | { outcome: 'replay'; session: SessionRecord };

export type BestShotLookup = { state: 'held'; bytes: Buffer } | { state: 'session-not-found' } | { state: 'none' } | { state: 'expired' };

/** Whether the store takes another session now; when not, how long until it may. */
export type StoreRoom = { available: true } | { available: false; retryAfterSeconds: number };
