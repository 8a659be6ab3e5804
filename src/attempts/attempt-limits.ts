import { Inject, Injectable } from '@nestjs/common';
import { attemptsConfig, type AttemptsConfig } from '../config';
import { AttemptLedger } from './attempt-ledger';
import { attemptsExhausted } from './attempts.errors';

/** A subject whose session counts: the company vouched for it (an internal key or a verified token). */
export interface VouchedSubject {
  subjectId: string | null;
  subjectVerified: boolean;
}

/** A subject that just became locked: the `subject.locked` webhook and the attempt_locks_total metric. */
export interface SubjectLock {
  subjectId: string;
  failures: number;
  lockedUntil: Date;
  /** When the failure that locked the subject was recorded. */
  lockedAt: Date;
  /** Unique per lock: the webhook's id. */
  failureId: string;
}

export type LockListener = (lock: SubjectLock) => void | Promise<void>;

/** GET /v1/subjects/{subjectId}/attempts. */
export interface AttemptStatus {
  subjectId: string;
  failures: number;
  limit: number;
  windowSeconds: number;
  lockedUntil: string | null;
}

/**
 * The attempt limit of docs/api.md §14 over the shared ledger: who counts (vouched subjects only,
 * and nobody with ATTEMPT_LIMIT=0), the refusal of a locked subject, what is left, and the lock
 * listeners. Every method takes the caller's `now`, as the session store does.
 */
@Injectable()
export class AttemptLimits {
  private readonly lockListeners: LockListener[] = [];

  constructor(
    private readonly ledger: AttemptLedger,
    @Inject(attemptsConfig.KEY) private readonly config: AttemptsConfig,
  ) {}

  /** Called before the answer that recorded the lock goes out: a webhook must be queued by then. */
  onLock(listener: LockListener): void {
    this.lockListeners.push(listener);
  }

  /** 429 ATTEMPTS_EXHAUSTED for a locked vouched subject; nothing for anyone else. */
  async admit(subject: VouchedSubject, now: Date): Promise<void> {
    const subjectId = this.counted(subject);
    if (subjectId === null) return;
    const { lockedUntil } = await this.ledger.tally(subjectId, now);
    if (lockedUntil !== null) throw attemptsExhausted(lockedUntil, now);
  }

  /** Failures the subject may still have before it is locked; null when it does not count. */
  async remaining(subject: VouchedSubject, now: Date): Promise<number | null> {
    const subjectId = this.counted(subject);
    if (subjectId === null) return null;
    const { failures } = await this.ledger.tally(subjectId, now);
    return Math.max(0, this.config.limit - failures);
  }

  /** One failed attempt (a recorded `rejected` decision); `failureId` makes a replayed one count once. */
  async recordFailure(subject: VouchedSubject, failureId: string, at: Date): Promise<void> {
    const subjectId = this.counted(subject);
    if (subjectId === null) return;
    const recorded = await this.ledger.recordFailure(subjectId, failureId, at);
    if (!recorded.becameLocked || recorded.lockedUntil === null) return;
    const lock: SubjectLock = { subjectId, failures: recorded.failures, lockedUntil: recorded.lockedUntil, lockedAt: at, failureId };
    for (const listener of this.lockListeners) await listener(lock);
  }

  async status(subjectId: string, now: Date): Promise<AttemptStatus> {
    const { failures, lockedUntil } = await this.ledger.tally(subjectId, now);
    return { subjectId, failures, limit: this.config.limit, windowSeconds: this.config.windowSeconds, lockedUntil: lockedUntil?.toISOString() ?? null };
  }

  forget(subjectId: string): Promise<void> {
    return this.ledger.forget(subjectId);
  }

  private counted(subject: VouchedSubject): string | null {
    return this.config.limit > 0 && subject.subjectVerified ? subject.subjectId : null;
  }
}
