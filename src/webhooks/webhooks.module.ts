import { Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { RedisConnection } from '../redis/redis.connection';
import { SessionModule } from '../session/session.module';
import { InMemoryWebhookQueue } from './in-memory-webhook-queue';
import { WebhookDelivery } from './webhook-delivery';
import { WebhookListener } from './webhook-listener';
import { WebhookQueue } from './webhook-queue';

/**
 * Signed webhooks of docs/api.md §10. The queue is BullMQ on the shared Redis when REDIS_URL is set
 * (any number of replicas, nothing lost), this process's memory otherwise (one replica; a
 * restart loses what it holds), and none at all when WEBHOOK_URL is unset: then nothing is
 * queued and no connection is made. `WebhookDelivery.onDelivery` is there for the metrics.
 */
@Module({
  imports: [SessionModule, AttemptsModule],
  providers: [
    WebhookDelivery,
    WebhookListener,
    {
      provide: WebhookQueue,
      inject: [WebhookDelivery, RedisConnection],
      // BullMQ is loaded only when it is used: a replica without webhooks or Redis does without its memory.
      useFactory: async (delivery: WebhookDelivery, connection: RedisConnection): Promise<WebhookQueue | null> => {
        if (!delivery.enabled) return null;
        if (!connection.enabled) return new InMemoryWebhookQueue(delivery);
        const { BullmqWebhookQueue } = await import('./bullmq-webhook-queue');
        return new BullmqWebhookQueue(delivery, connection);
      },
    },
  ],
  exports: [WebhookDelivery],
})
export class WebhooksModule {}
