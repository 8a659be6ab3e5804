import type { Assessment, DecisionReason } from '../decision/decision.types';
import type { ReviewDecision, SessionResult, SessionReview } from './session.types';

/** What a reviewer sends (docs/api.md §15). */
export interface ReviewInput {
  decision: ReviewDecision;
  reviewer: string;
  note: string | null;
}

/**
 * docs/api.md §15: an inconclusive REVIEW_REQUIRED decision (Oz asked for an operator) goes to
 * review, and with REVIEW_INCONCLUSIVE every inconclusive one; recorded at `at`, which orders the queue.
 */
export function reviewOf(assessment: Assessment, at: Date, everyInconclusive: boolean): SessionReview | null {
  if (assessment.decision !== 'inconclusive') return null;
  if (assessment.reason !== 'REVIEW_REQUIRED' && !everyInconclusive) return null;
  return { since: at, reason: assessment.reason, verdict: null };
}

export function reviewReason(decision: ReviewDecision): DecisionReason {
  return decision === 'accepted' ? 'REVIEW_ACCEPTED' : 'REVIEW_REJECTED';
}

/**
 * The result with the reviewer's decision in place of the one under review; the checks, the
 * first liveness answer (a replayed upload's) and the face match stay as Oz gave them.
 */
export function reviewedResult(
  result: SessionResult,
  review: SessionReview,
  input: ReviewInput,
  recorded: { receipt: string; decidedAt: Date; eventId: string },
): SessionResult {
  return {
    ...result,
    decision: input.decision,
    reason: reviewReason(input.decision),
    receipt: recorded.receipt,
    review: { ...review, verdict: { ...input, decidedAt: recorded.decidedAt, eventId: recorded.eventId } },
  };
}
