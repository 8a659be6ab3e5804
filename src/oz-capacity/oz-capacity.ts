/** How a wait for deployment capacity ended (the `outcome` label of oz_capacity_wait_seconds). */
export type CapacityWaitOutcome = 'admitted' | 'timed_out' | 'abandoned';

export type CapacityWaitListener = (outcome: CapacityWaitOutcome, seconds: number) => void;

/** A slot taken: given back once, by the analysis that took it (or by its lease). */
export interface OzCapacityPermit {
  /** Idempotent and never throws: a release that cannot reach the store is left to the lease. */
  release(): void;
}

/** What both implementations are built from (docs/api.md §13). */
export interface OzCapacityOptions {
  /** OZ_CAPACITY: analysis calls in flight to Oz at once, for the whole deployment. */
  capacity: number;
  /** 60 000 / OZ_ANALYSES_PER_MINUTE: the least time between two starts; 0 = no pacing. */
  paceMs: number;
  /** OZ_QUEUE_TIMEOUT_MS: the longest wait; 0 = refuse at once. */
  queueTimeoutMs: number;
  /** A slot taken is given back at the latest this long after it was taken (OZ_TIMEOUT_MS + 10 s). */
  leaseMs: number;
}

/**
 * Oz capacity shared by every replica (docs/api.md §13): the port that the in-memory
 * implementation (one process) and the Redis one (every replica on REDIS_URL) implement, and that
 * one contract suite tests for both. At most `capacity` slots are taken at any instant; waiters
 * are served first come first served, each for at most `queueTimeoutMs`; starts are at least
 * `paceMs` apart; a slot is a lease, so that a replica that dies cannot keep it.
 */
export abstract class OzCapacity {
  private readonly waitListeners: CapacityWaitListener[] = [];

  /**
   * A slot, once one is free and it is this caller's turn. Rejects with UPSTREAM_UNAVAILABLE when
   * the wait passes `queueTimeoutMs` (at once when 0) or `abandoned` fires (the client left),
   * and with STORE_UNAVAILABLE when the store does not answer: never a slot it is not sure of.
   */
  abstract acquire(abandoned: AbortSignal): Promise<OzCapacityPermit>;

  /** Analyses of this process waiting for a slot now (oz_capacity_waiting). */
  abstract get waiting(): number;

  /** `call` under a slot, given back however it ends. */
  async run<T>(abandoned: AbortSignal, call: () => Promise<T>): Promise<T> {
    const permit = await this.acquire(abandoned);
    try {
      return await call();
    } finally {
      permit.release();
    }
  }

  /** Called once per acquire that ended (the metrics time them; this module knows no metrics). */
  onWaitEnded(listener: CapacityWaitListener): void {
    this.waitListeners.push(listener);
  }

  protected reportWait(outcome: CapacityWaitOutcome, seconds: number): void {
    for (const listener of this.waitListeners) listener(outcome, seconds);
  }
}
