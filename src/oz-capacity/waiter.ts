import { performance } from 'node:perf_hooks';
import type { AppError } from '../common/app-error';
import { capacityTimedOut, waitAbandoned } from './oz-capacity.errors';
import type { CapacityWaitOutcome } from './oz-capacity';

export type WaitEnded = (waiter: Waiter, outcome: CapacityWaitOutcome, seconds: number) => void;

/**
 * One analysis of this process waiting for a slot: its deadline (OZ_QUEUE_TIMEOUT_MS) and its
 * client (the abort signal). Settles once: admitted, timed out, abandoned or failed, whichever
 * comes first; `ended` hears the first three, so that the queue forgets the waiter at once.
 */
export class Waiter {
  readonly admitted: Promise<void>;
  /** How the wait ended, once it did without a failure. */
  outcome: CapacityWaitOutcome | null = null;
  private settled = false;
  private readonly started = performance.now();
  private resolve!: () => void;
  private reject!: (error: AppError) => void;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.leave('abandoned', waitAbandoned());

  constructor(
    readonly id: string,
    timeoutMs: number,
    private readonly abandoned: AbortSignal,
    private readonly ended: WaitEnded,
  ) {
    this.admitted = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.timer = setTimeout(() => this.leave('timed_out', capacityTimedOut()), timeoutMs);
    abandoned.addEventListener('abort', this.onAbort, { once: true });
    if (abandoned.aborted) this.onAbort();
  }

  get waiting(): boolean {
    return !this.settled;
  }

  /** The slot is this waiter's; false when it no longer wants it (the caller gives the slot back). */
  admit(): boolean {
    if (!this.finish()) return false;
    this.outcome = 'admitted';
    this.ended(this, 'admitted', this.seconds());
    this.resolve();
    return true;
  }

  /** Ends the wait without a slot and without a wait outcome (the store failed, the replica stops). */
  fail(error: AppError): void {
    if (this.finish()) this.reject(error);
  }

  private leave(outcome: CapacityWaitOutcome, error: AppError): void {
    if (!this.finish()) return;
    this.outcome = outcome;
    this.ended(this, outcome, this.seconds());
    this.reject(error);
  }

  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.timer);
    this.abandoned.removeEventListener('abort', this.onAbort);
    return true;
  }

  private seconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}
