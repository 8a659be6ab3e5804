import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { storeUnavailable } from '../common/store-unavailable';
import { type SessionEvent, SessionEvents } from '../session/session-events';
import { webhookFor } from './webhook-event';
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
    @Inject(WebhookQueue) private readonly queue: WebhookQueue | null,
  ) {}

  onModuleInit(): void {
    // WEBHOOK_URL unset: there is no queue, and nothing listens.
    if (this.queue !== null) this.events.subscribe((event) => this.take(event, this.queue as WebhookQueue));
  }

  private async take(event: SessionEvent, queue: WebhookQueue): Promise<void> {
    const message = webhookFor(event);
    if (message === null) return;
    try {
      await queue.enqueue(message);
    } catch {
      // The queue's error may quote the command and the event; the client learns only to retry.
      throw storeUnavailable();
    }
  }
}
