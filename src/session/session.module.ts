import { Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { redisConfig, type RedisConfig, sessionsConfig, type SessionsConfig } from '../config';
import { OzApiModule } from '../oz-api/oz-api.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { ReceiptsModule } from '../receipts/receipts.module';
import { RedisConnection } from '../redis/redis.connection';
import { BestShotController } from './best-shot.controller';
import { Clock, SystemClock } from './clock';
import { IN_MEMORY_STORE_OPTIONS, InMemorySessionStore, type InMemoryStoreOptions } from './in-memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import { FailedAttempts } from './failed-attempts';
import { SessionEvents } from './session-events';
import { SessionLifecycle } from './session-lifecycle';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';
import { SessionStore } from './session.store';

/**
 * Owns the session lifecycle: the store and the clock are private to this module; features see
 * `SessionLifecycle` (changes and reads) and `SessionEvents` (what changed).
 */
@Module({
  imports: [OzApiModule, ReceiptsModule, RateLimitsModule, AttemptsModule],
  controllers: [SessionController, BestShotController],
  providers: [
    SessionService,
    SessionLifecycle,
    SessionEvents,
    FailedAttempts,
    { provide: Clock, useClass: SystemClock },
    { provide: IN_MEMORY_STORE_OPTIONS, useValue: {} },
    {
      provide: SessionStore,
      inject: [RedisConnection, redisConfig.KEY, sessionsConfig.KEY, Clock, IN_MEMORY_STORE_OPTIONS],
      // Redis when REDIS_URL is set (any number of replicas), else this process's memory (one replica).
      useFactory: (connection: RedisConnection, redis: RedisConfig, sessions: SessionsConfig, clock: Clock, options: InMemoryStoreOptions): SessionStore =>
        connection.enabled ? new RedisSessionStore(redis, sessions, connection) : new InMemorySessionStore(sessions, clock, options),
    },
  ],
  exports: [SessionLifecycle, SessionEvents],
})
export class SessionModule {}
