import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AttemptLimits } from '../attempts/attempt-limits';
import { storeUnavailable } from '../common/store-unavailable';
import { SessionEvents } from '../session/session-events';
import { subjectLocked, type WebhookMessage, webhookFor } from './webhook-event';
import { WebhookQueue } from './webhook-queue';

/**
 * Turns recorded outcomes into webhook events. SessionEvents awaits it, so an event is held (with
 * Redis: stored there) before the answer that recorded it goes out; when it cannot be, the
 * request fails with 503 STORE_UNAVAILABLE and the client's retry, a replay, queues it again.
 */
@Injectable()
export class WebhookListener implements OnModuleInit {
  constructor(
    private readonly events: SessionEvents,
    private readonly attempts: AttemptLimits,
    @Inject(WebhookQueue) private readonly queue: WebhookQueue | null,
  ) {}

  onModuleInit(): void {
    // WEBHOOK_URL unset: there is no queue, and nothing listens.
    const queue = this.queue;
    if (queue === null) return;
    this.events.subscribe((event) => this.take(webhookFor(event), queue));
    // The lock is announced when the failure that caused it was recorded, before that answer goes out.
    this.attempts.onLock((lock) => this.take(subjectLocked(lock), queue));
  }

  private async take(message: WebhookMessage | null, queue: WebhookQueue): Promise<void> {
    if (message === null) return;
    try {
      await queue.enqueue(message);
    } catch {
      // The queue's error may quote the command and the event; the client learns only to retry.
      throw storeUnavailable();
    }
  }
}
