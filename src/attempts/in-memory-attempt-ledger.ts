import { AttemptLedger, type AttemptRule, type AttemptTally, lockEndOf, type RecordedFailure } from './attempt-ledger';

/** Subjects the in-memory ledger keeps at most; past it, the one failed longest ago goes first. */
export const MAX_SUBJECTS_IN_MEMORY = 100_000;

interface Failure {
  id: string;
  at: number;
}

/**
 * The sliding-window log of one replica: per subject, its failures in the window, oldest first.
 * A Map keeps insertion order, and a subject is moved to its end on each failure, so that the
 * first entry is always the subject whose latest failure is oldest: the one dropped at the cap.
 */
export class InMemoryAttemptLedger extends AttemptLedger {
  private readonly subjects = new Map<string, Failure[]>();

  constructor(
    private readonly rule: AttemptRule,
    private readonly maxSubjects = MAX_SUBJECTS_IN_MEMORY,
  ) {
    super();
  }

  recordFailure(subjectId: string, failureId: string, at: Date): Promise<RecordedFailure> {
    const failures = this.inWindow(subjectId, at.getTime());
    const before = failures.length;
    if (!failures.some((failure) => failure.id === failureId)) {
      failures.push({ id: failureId, at: at.getTime() });
      failures.sort((a, b) => a.at - b.at);
    }
    this.subjects.delete(subjectId);
    this.subjects.set(subjectId, failures);
    this.keepWithinCap();
    const tally = this.tallyOf(failures);
    return Promise.resolve({ ...tally, becameLocked: before < this.rule.limit && failures.length >= this.rule.limit });
  }

  tally(subjectId: string, now: Date): Promise<AttemptTally> {
    return Promise.resolve(this.tallyOf(this.inWindow(subjectId, now.getTime())));
  }

  forget(subjectId: string): Promise<void> {
    this.subjects.delete(subjectId);
    return Promise.resolve();
  }

  /** The subject's failures still in the window at `now`; a subject with none left is forgotten. */
  private inWindow(subjectId: string, now: number): Failure[] {
    const kept = (this.subjects.get(subjectId) ?? []).filter((failure) => failure.at > now - this.rule.windowMs);
    if (kept.length === 0) this.subjects.delete(subjectId);
    else this.subjects.set(subjectId, kept);
    return kept;
  }

  private tallyOf(failures: Failure[]): AttemptTally {
    return {
      failures: failures.length,
      lockedUntil: lockEndOf(
        failures.map((failure) => failure.at),
        this.rule,
      ),
    };
  }

  private keepWithinCap(): void {
    for (const subjectId of this.subjects.keys()) {
      if (this.subjects.size <= this.maxSubjects) return;
      this.subjects.delete(subjectId);
    }
  }
}
