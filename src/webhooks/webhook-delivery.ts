import { Inject, Injectable, Logger } from '@nestjs/common';
import { webhooksConfig, type WebhooksConfig } from '../config';
import type { WebhookMessage } from './webhook-event';
import { WebhookSender } from './webhook-sender';

/**
 * What became of an attempt, for the metrics (`webhook_deliveries_total{outcome}`): every attempt
 * is `delivered` or `failed_attempt`; an event given up (its last attempt failed, or the queue
 * had no room for it) is also counted once as `gave_up`.
 */
export type DeliveryOutcome = 'delivered' | 'failed_attempt' | 'gave_up';
export type DeliveryListener = (outcome: DeliveryOutcome) => void;

/** Where an attempt stands in its event's schedule: its number (1 = the first) and whether it is the last one. */
export interface AttemptPlace {
  attempt: number;
  last: boolean;
}

/**
 * One attempt of one event, whichever queue runs the schedule (BullMQ with Redis, memory without):
 * it sends, tells the listeners, and writes the one log line of an event given up (ids and type,
 * never the body). Exists even when WEBHOOK_URL is unset, so that the metrics can subscribe.
 */
@Injectable()
export class WebhookDelivery {
  private readonly logger = new Logger('Webhooks');
  private readonly listeners: DeliveryListener[] = [];
  private readonly sender: WebhookSender | null;

  constructor(@Inject(webhooksConfig.KEY) readonly config: WebhooksConfig) {
    this.sender = config.url && config.secret ? new WebhookSender({ url: config.url, secret: config.secret, timeoutMs: config.timeoutMs }) : null;
  }

  get enabled(): boolean {
    return this.sender !== null;
  }

  onDelivery(listener: DeliveryListener): void {
    this.listeners.push(listener);
  }

  /** True when the receiver took it; false when the event must be retried or, on its last attempt, was given up. */
  async attempt(message: WebhookMessage, place: AttemptPlace): Promise<boolean> {
    if (!this.sender) throw new Error('webhooks are not configured (WEBHOOK_URL is unset)');
    const result = await this.sender.send(message);
    if (result.delivered) {
      this.tell('delivered');
      return true;
    }
    this.tell('failed_attempt');
    if (place.last) this.giveUp(message, `${place.attempt} attempts failed, the last with ${result.failure}`);
    return false;
  }

  /**
   * The event is dropped: one warning line with its id, type and session (for an operator to tell
   * the internal services which sessions to read again), and one `gave_up`.
   */
  giveUp(message: WebhookMessage, why: string): void {
    this.logger.warn({ eventId: message.id, eventType: message.type, sessionId: sessionIdOf(message), why }, 'webhook event given up');
    this.tell('gave_up');
  }

  /** Once the queue has stopped: waits for attempts in flight, then closes the sockets. */
  async close(): Promise<void> {
    await this.sender?.close();
  }

  private tell(outcome: DeliveryOutcome): void {
    for (const listener of this.listeners) {
      try {
        listener(outcome);
      } catch {
        // A metrics listener's defect must not change what happens to the event.
      }
    }
  }
}

function sessionIdOf(message: WebhookMessage): string | null {
  try {
    const sessionId = (JSON.parse(message.body) as { data?: { sessionId?: unknown } }).data?.sessionId;
    return typeof sessionId === 'string' ? sessionId : null;
  } catch {
    return null;
  }
}
