import { Module } from '@nestjs/common';
import { attemptsConfig, type AttemptsConfig } from '../config';
import { RedisConnection } from '../redis/redis.connection';
import { Clock, SystemClock } from '../session/clock';
import { AttemptLedger } from './attempt-ledger';
import { AttemptLimits } from './attempt-limits';
import { AttemptsController } from './attempts.controller';
import { InMemoryAttemptLedger } from './in-memory-attempt-ledger';
import { RedisAttemptLedger } from './redis-attempt-ledger';

/**
 * The failed attempts of vouched subjects (docs/api.md §14): the ledger (Redis when REDIS_URL is
 * set, shared by every replica; else this process's memory), the limit over it, and the internal
 * routes that read and forget a subject's failures.
 */
@Module({
  controllers: [AttemptsController],
  providers: [
    AttemptLimits,
    { provide: Clock, useClass: SystemClock },
    {
      provide: AttemptLedger,
      inject: [RedisConnection, attemptsConfig.KEY],
      useFactory: (connection: RedisConnection, config: AttemptsConfig): AttemptLedger => {
        const rule = { limit: config.limit, windowMs: config.windowSeconds * 1000 };
        return connection.enabled ? new RedisAttemptLedger(rule, connection.client, connection.keyPrefix) : new InMemoryAttemptLedger(rule);
      },
    },
  ],
  exports: [AttemptLimits],
})
export class AttemptsModule {}
