import type { WebhookMessage } from './webhook-event';

/**
 * Holds events until they are delivered or given up, and runs their retry schedule (contract
 * §10). `enqueue` resolves once the event is held (with Redis: stored there), and is idempotent
 * on the event id; it rejects when the event could not be held.
 */
export abstract class WebhookQueue {
  abstract enqueue(message: WebhookMessage): Promise<void>;
}
