import type { Check, Decision, DecisionReason } from '../decision/decision.types';
import type { SessionRecord, SessionReview, SessionStatus } from './session.types';

/** The internal view of `GET /v1/sessions/{id}` (docs/api.md §1). */
export interface SessionView {
  sessionId: string;
  subjectId: string | null;
  subjectVerified: boolean;
  status: SessionStatus;
  createdAt: string;
  expiresAt: string;
  result: {
    decision: Decision;
    reason: DecisionReason;
    folderId: string | null;
    eventSessionId: string | null;
    completedAt: string;
    checks: Check[];
    bestShotAvailable: boolean;
    receipt: string;
  } | null;
  error: { code: string; ozErrorCode: number | null } | null;
  /** docs/api.md §15: present once the session went to review. */
  review?: ReviewView;
}

/** `decidedAt`, `reviewer` and `note` once done. */
export interface ReviewView {
  status: 'pending' | 'done';
  since: string;
  decidedAt?: string;
  reviewer?: string;
  note?: string | null;
}

export function toReviewView(review: SessionReview): ReviewView {
  const since = review.since.toISOString();
  const verdict = review.verdict;
  if (verdict === null) return { status: 'pending', since };
  return { status: 'done', since, decidedAt: verdict.decidedAt.toISOString(), reviewer: verdict.reviewer, note: verdict.note };
}

/** An open session past its expiry reads as expired; a processing one whose lease ran out as open again. */
export function statusOf(session: SessionRecord, now: Date): SessionStatus {
  const status = session.status === 'processing' && session.lease !== null && now >= session.lease.until ? 'open' : session.status;
  return status === 'open' && now >= session.expiresAt ? 'expired' : status;
}

export function toSessionView(session: SessionRecord, now: Date): SessionView {
  const { result, failure } = session;
  const heldUntil = session.bestShot.heldUntil;
  return {
    sessionId: session.id,
    subjectId: session.subjectId,
    subjectVerified: session.subjectVerified,
    status: statusOf(session, now),
    createdAt: session.createdAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    result: result && {
      decision: result.decision,
      reason: result.reason,
      folderId: result.folderId,
      eventSessionId: result.eventSessionId,
      completedAt: result.completedAt.toISOString(),
      checks: result.checks,
      bestShotAvailable: heldUntil !== null && now < heldUntil,
      receipt: result.receipt,
    },
    error: failure && { code: failure.code, ozErrorCode: failure.ozErrorCode },
    ...(result?.review && { review: toReviewView(result.review) }),
  };
}
