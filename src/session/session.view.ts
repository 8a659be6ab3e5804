import type { Check, Decision, DecisionReason } from '../decision/decision.types';
import type { SessionRecord, SessionResult, SessionStatus } from './session.types';

/** The public answer of a liveness upload (contract §1): the decision, never a score. */
export interface LivenessAnswer {
  sessionId: string;
  status: 'completed';
  decision: Decision;
  reason: DecisionReason;
  folderId: string | null;
  eventSessionId: string | null;
  completedAt: string;
}

/** The internal view of `GET /v1/sessions/{id}`. */
export interface SessionView {
  sessionId: string;
  subjectId: string | null;
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
  } | null;
  error: { code: string; ozErrorCode: number | null } | null;
}

export function statusOf(session: SessionRecord, now: Date): SessionStatus {
  return session.status === 'open' && now >= session.expiresAt ? 'expired' : session.status;
}

/** Always the liveness verdict, also after face matching replaced the session's decision. */
export function toLivenessAnswer(sessionId: string, result: SessionResult): LivenessAnswer {
  const { decision, reason } = result.livenessVerdict ?? result;
  return {
    sessionId,
    status: 'completed',
    decision,
    reason,
    folderId: result.folderId,
    eventSessionId: result.eventSessionId,
    completedAt: result.completedAt.toISOString(),
  };
}

export function toSessionView(session: SessionRecord, now: Date): SessionView {
  const { result, failure } = session;
  const heldUntil = session.bestShot.heldUntil;
  return {
    sessionId: session.id,
    subjectId: session.subjectId,
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
    },
    error: failure && { code: failure.code, ozErrorCode: failure.ozErrorCode },
  };
}
