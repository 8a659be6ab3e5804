import { Module } from '@nestjs/common';
import { RedisConnection } from '../redis/redis.connection';
import { SessionModule } from '../session/session.module';
import { BullmqWebhookQueue } from './bullmq-webhook-queue';
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
  imports: [SessionModule],
  providers: [
    WebhookDelivery,
    WebhookListener,
    {
      provide: WebhookQueue,
      inject: [WebhookDelivery, RedisConnection],
      useFactory: (delivery: WebhookDelivery, connection: RedisConnection): WebhookQueue | null => {
        if (!delivery.enabled) return null;
        return connection.enabled ? new BullmqWebhookQueue(delivery, connection) : new InMemoryWebhookQueue(delivery);
      },
    },
  ],
  exports: [WebhookDelivery],
})
export class WebhooksModule {}
