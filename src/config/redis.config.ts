import { IsBoolean, IsOptional, IsUrl, Matches } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { IsBase64Key, RequiredWhenSet } from './rules';
import { ToBoolean } from './transforms';

class RedisEnvironment {
  @IsOptional()
  @IsUrl({ protocols: ['redis', 'rediss'], require_protocol: true, require_tld: false }, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @ToBoolean()
  @IsBoolean({ message: 'must be true or false' })
  REDIS_CLUSTER = false;

  // Braces would make the prefix a Redis Cluster hash tag and put every session in one slot.
  @Matches(/^[A-Za-z0-9:._-]{1,64}$/, { message: 'must be 1 to 64 characters of A-Z a-z 0-9 : . _ -' })
  REDIS_KEY_PREFIX = 'ozlv:';

  @RequiredWhenSet('REDIS_URL', 'best shots are encrypted with it before they reach Redis')
  @IsBase64Key(32)
  DATA_ENCRYPTION_KEY?: string;
}

export const redisConfig = defineNamespace('redis', RedisEnvironment, (env) => ({
  url: env.REDIS_URL ?? null,
  cluster: env.REDIS_CLUSTER,
  keyPrefix: env.REDIS_KEY_PREFIX,
  dataEncryptionKey: env.DATA_ENCRYPTION_KEY === undefined ? null : Buffer.from(env.DATA_ENCRYPTION_KEY, 'base64'),
}));
export type RedisConfig = ValueOf<typeof redisConfig>;
