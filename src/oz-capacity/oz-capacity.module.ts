import { Module } from '@nestjs/common';
import { ozCapacityConfig, type OzCapacityConfig, ozConfig, type OzConfig } from '../config';
import { RedisConnection } from '../redis/redis.connection';
import { InMemoryOzCapacity } from './in-memory-oz-capacity';
import { OzCapacity } from './oz-capacity';
import { RedisOzCapacity } from './redis-oz-capacity';

/** A slot outlives the Oz call it covers (OZ_TIMEOUT_MS) by this much, as an upload claim does (docs/api.md §13). */
const LEASE_MARGIN_MS = 10_000;

/**
 * The deployment's Oz capacity (docs/api.md §13): Redis when REDIS_URL is set (every replica
 * shares it), else this process. Without OZ_CAPACITY the token resolves to null, and an analysis
 * makes no call to a limiter at all.
 */
@Module({
  providers: [
    {
      provide: OzCapacity,
      inject: [ozCapacityConfig.KEY, ozConfig.KEY, RedisConnection],
      useFactory: (config: OzCapacityConfig, oz: OzConfig, connection: RedisConnection): OzCapacity | null => {
        if (config.capacity === null) return null;
        const options = { capacity: config.capacity, paceMs: config.paceMs, queueTimeoutMs: config.queueTimeoutMs, leaseMs: oz.timeoutMs + LEASE_MARGIN_MS };
        return connection.enabled ? new RedisOzCapacity(options, connection) : new InMemoryOzCapacity(options);
      },
    },
  ],
  exports: [OzCapacity],
})
export class OzCapacityModule {}
