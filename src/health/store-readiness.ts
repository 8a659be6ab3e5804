import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SessionLifecycle } from '../session/session-lifecycle';

export interface StoreState {
  /** The store answered at least once since this replica started. */
  reachedOnce: boolean;
  /** The store answered this check (Redis: a PING within 1 s). */
  answers: boolean;
}

/**
 * Readiness and the shared store (docs/api.md §18): a replica is not ready until it has reached
 * its store once (a rollout with a wrong REDIS_URL stops there), but an outage after that does not
 * take it out of the load balancer. Every replica shares the store, so failing readiness would
 * empty the balancer at once and clients would get its page instead of our retryable 503.
 */
@Injectable()
export class StoreReadiness implements OnApplicationBootstrap {
  private reachedOnce = false;

  constructor(private readonly sessions: SessionLifecycle) {}

  /** Once at the start (the Redis connection has had its moment to open): a store that answers now makes the replica ready. */
  async onApplicationBootstrap(): Promise<void> {
    await this.check();
  }

  async check(): Promise<StoreState> {
    const answers = await this.sessions.storeAnswers();
    if (answers) this.reachedOnce = true;
    return { reachedOnce: this.reachedOnce, answers };
  }
}
