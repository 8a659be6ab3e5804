/** What a subject's recent failures amount to at an instant. */
export interface AttemptTally {
  /** Failures within the window. */
  failures: number;
  /** While locked: when the failure that holds the lock leaves the window; else null. */
  lockedUntil: Date | null;
}

export interface RecordedFailure extends AttemptTally {
  /** True for the one failure that turned the subject from unlocked to locked (a `subject.locked` event). */
  becameLocked: boolean;
}

/** The rule every ledger applies: `limit` failures within `windowMs` lock the subject. */
export interface AttemptRule {
  limit: number;
  windowMs: number;
}

/**
 * The failed attempts of vouched subjects (docs/api.md §14), shared by every replica: the port
 * that the in-memory ledger (one replica) and the Redis ledger (any number) implement, and that
 * one contract suite tests for both.
 *
 * - Sliding-window log: each failure is kept with its instant, and only those of the last
 *   `windowMs` count. A fixed window would let 2 × limit failures through across its edge, and a
 *   counter could not say when the lock ends.
 * - A subject with `limit` or more failures in the window is locked until enough of them left
 *   it: until the oldest of its latest `limit` failures is `windowMs` old.
 * - `recordFailure` is atomic: two failures recorded at once (on two replicas) count twice, and
 *   exactly one of them reports `becameLocked`. A failure id counts once however often it is
 *   recorded (a client retry replays the stored decision).
 * - Nothing about a subject is kept longer than the window.
 */
export abstract class AttemptLedger {
  abstract recordFailure(subjectId: string, failureId: string, at: Date): Promise<RecordedFailure>;
  abstract tally(subjectId: string, now: Date): Promise<AttemptTally>;
  /** Forgets every failure of the subject (a support agent checked the person another way). */
  abstract forget(subjectId: string): Promise<void>;
}

/** The instant the lock ends, from the failure instants in the window, oldest first; null when not locked. */
export function lockEndOf(instants: readonly number[], rule: AttemptRule): Date | null {
  if (rule.limit === 0 || instants.length < rule.limit) return null;
  return new Date(instants[instants.length - rule.limit] + rule.windowMs);
}
