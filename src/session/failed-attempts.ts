import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AttemptLimits } from '../attempts/attempt-limits';
import type { DecisionReason } from '../decision/decision.types';
import { type SessionEvent, SessionEvents } from './session-events';

/**
 * The reasons of a failed attempt (docs/api.md §14): a recorded `rejected` decision — Oz's, or a
 * reviewer's (§15). A session that failed (an Oz container error, NEW_CAPTURE_REQUIRED) and an
 * inconclusive decision are no attempt the person lost.
 */
const FAILED_ATTEMPT_REASONS: ReadonlySet<DecisionReason> = new Set<DecisionReason>(['LIVENESS_DECLINED', 'FACE_MISMATCH', 'REVIEW_REJECTED']);

export interface FailedAttempt {
  /** The id of the event that recorded the decision: a replay of it counts once. */
  id: string;
  at: Date;
}

/** The failed attempt a session event records, if any. */
export function failedAttemptOf(event: SessionEvent): FailedAttempt | null {
  const result = event.session.result;
  switch (event.type) {
    case 'verification.completed':
    case 'verification.replayed':
      return result && FAILED_ATTEMPT_REASONS.has(result.liveness.reason) ? { id: result.liveness.eventId, at: result.completedAt } : null;
    case 'biometry.completed':
      return result?.biometry && FAILED_ATTEMPT_REASONS.has(result.reason) ? { id: result.biometry.eventId, at: result.biometry.completedAt } : null;
    case 'review.completed': {
      const verdict = result?.review?.verdict;
      return verdict && FAILED_ATTEMPT_REASONS.has(result.reason) ? { id: verdict.eventId, at: verdict.decidedAt } : null;
    }
    default:
      return null;
  }
}

/**
 * Counts failed attempts of vouched subjects from the session's events. SessionEvents awaits it,
 * so a failure is in the ledger before the answer that recorded it goes out; when the ledger
 * cannot take it (503), the client's retry replays the decision and it is counted then, once.
 */
@Injectable()
export class FailedAttempts implements OnModuleInit {
  constructor(
    private readonly events: SessionEvents,
    private readonly attempts: AttemptLimits,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((event) => this.count(event));
  }

  private async count(event: SessionEvent): Promise<void> {
    const failure = failedAttemptOf(event);
    if (failure !== null) await this.attempts.recordFailure(event.session, failure.id, failure.at);
  }
}
