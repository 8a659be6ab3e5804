import type { OnApplicationShutdown } from '@nestjs/common';
import { retryDelayMs } from './retry-schedule';
import type { WebhookDelivery } from './webhook-delivery';
import type { WebhookMessage } from './webhook-event';
import { WebhookQueue } from './webhook-queue';
import { MAX_DELIVERIES_IN_FLIGHT } from './webhook-sender';

/** Events held at once (waiting, in flight or between attempts); a few hundred bytes each. */
export const MAX_PENDING_EVENTS = 10_000;
/** Ids of events already delivered or given up, remembered so that a replay does not send them again. */
const SETTLED_IDS_KEPT = 10_000;

interface Pending {
  message: WebhookMessage;
  attemptsMade: number;
}

/**
 * The queue of one replica without Redis: the retry schedule of BullMQ's, on timers, in this
 * process's memory. A restart loses the events it holds. While a receiver is down it holds at
 * most MAX_PENDING_EVENTS; one more is given up at once (one log line) rather than held.
 */
export class InMemoryWebhookQueue extends WebhookQueue implements OnApplicationShutdown {
  private readonly pending = new Map<string, Pending>();
  private readonly settled = new Set<string>();
  private readonly due: Pending[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;

  constructor(private readonly delivery: WebhookDelivery) {
    super();
  }

  async enqueue(message: WebhookMessage): Promise<void> {
    if (this.closing || this.pending.has(message.id) || this.settled.has(message.id)) return;
    if (this.pending.size >= MAX_PENDING_EVENTS) return this.delivery.giveUp(message, `${MAX_PENDING_EVENTS} events are already waiting`);
    const entry: Pending = { message, attemptsMade: 0 };
    this.pending.set(message.id, entry);
    this.due.push(entry);
    this.pump();
  }

  /** Events between attempts are dropped (a restart would lose them too); attempts in flight finish. */
  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.due.length = 0;
    await Promise.all(this.inFlight);
    await this.delivery.close();
  }

  private pump(): void {
    while (!this.closing && this.inFlight.size < MAX_DELIVERIES_IN_FLIGHT && this.due.length > 0) {
      const entry = this.due.shift() as Pending;
      const run = this.attempt(entry).finally(() => {
        this.inFlight.delete(run);
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async attempt(entry: Pending): Promise<void> {
    const attempt = entry.attemptsMade + 1;
    const last = attempt >= this.delivery.config.maxAttempts;
    const delivered = await this.delivery.attempt(entry.message, { attempt, last }).catch(() => false);
    entry.attemptsMade = attempt;
    if (delivered || last) return this.settle(entry.message.id);
    this.retryLater(entry, retryDelayMs(this.delivery.config.backoffMs, attempt));
  }

  private retryLater(entry: Pending, delayMs: number): void {
    if (this.closing) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.due.push(entry);
      this.pump();
    }, delayMs);
    // A timer waiting for a retry must not keep the process alive on its own.
    timer.unref();
    this.timers.add(timer);
  }

  private settle(id: string): void {
    this.pending.delete(id);
    this.settled.add(id);
    if (this.settled.size > SETTLED_IDS_KEPT) this.settled.delete(this.settled.values().next().value as string);
  }
}
