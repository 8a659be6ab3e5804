import { Global, Module } from '@nestjs/common';
import { redisConfig, type RedisConfig } from '../config';
import { RedisConnection } from './redis.connection';

/**
 * Global: the session store, the rate limiters and the webhook queue all share one Redis, and
 * each of them asks `RedisConnection` for it instead of importing ioredis.
 */
@Global()
@Module({
  providers: [{ provide: RedisConnection, inject: [redisConfig.KEY], useFactory: (config: RedisConfig) => new RedisConnection(config).load() }],
  exports: [RedisConnection],
})
export class RedisModule {}
