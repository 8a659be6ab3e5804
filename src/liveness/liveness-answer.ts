import type { Decision, DecisionReason } from '../decision/decision.types';
import type { SessionRecord } from '../session/session.types';

/** The public answer of a liveness upload (docs/api.md §1): the decision and its receipt, never a score. */
export interface LivenessAnswer {
  sessionId: string;
  status: 'completed';
  decision: Decision;
  reason: DecisionReason;
  folderId: string | null;
  eventSessionId: string | null;
  completedAt: string;
  receipt: string;
  /** Failed attempts the vouched subject may still have (docs/api.md §14); null for anonymous sessions or with the limit off. */
  attemptsRemaining: number | null;
}

/** Always the liveness outcome as first given, also after face matching changed the session's decision. */
export function toLivenessAnswer(session: SessionRecord, attemptsRemaining: number | null): LivenessAnswer {
  const result = session.result;
  if (!result) throw new Error(`session ${session.id} has no result to answer with`);
  return {
    sessionId: session.id,
    status: 'completed',
    decision: result.liveness.decision,
    reason: result.liveness.reason,
    folderId: result.folderId,
    eventSessionId: result.eventSessionId,
    completedAt: result.completedAt.toISOString(),
    receipt: result.liveness.receipt,
    attemptsRemaining,
  };
}
