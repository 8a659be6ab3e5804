import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { IsHttpUrl } from './rules';
import { ToInt } from './transforms';

class OzEnvironment {
  @IsHttpUrl('the http(s) base URL of Oz API Instant')
  OZ_API_URL: string;

  @IsOptional()
  @IsString()
  OZ_ACCESS_TOKEN?: string;

  @IsIn(['GET', 'POST'], { message: 'must be GET or POST' })
  OZ_SESSION_TOKEN_METHOD: 'GET' | 'POST' = 'GET';

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(86_400)
  OZ_SESSION_TTL_SECONDS = 900;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(600_000)
  OZ_TIMEOUT_MS = 60_000;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(600_000)
  OZ_TOKEN_TIMEOUT_MS = 5_000;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(10_000)
  OZ_MAX_CONCURRENCY = 16;
}

export const ozConfig = defineNamespace('oz', OzEnvironment, (env) => ({
  baseUrl: env.OZ_API_URL.replace(/\/+$/, ''),
  accessToken: env.OZ_ACCESS_TOKEN ?? null,
  sessionTokenMethod: env.OZ_SESSION_TOKEN_METHOD,
  sessionTtlSeconds: env.OZ_SESSION_TTL_SECONDS,
  timeoutMs: env.OZ_TIMEOUT_MS,
  tokenTimeoutMs: env.OZ_TOKEN_TIMEOUT_MS,
  maxConcurrency: env.OZ_MAX_CONCURRENCY,
}));
export type OzConfig = ValueOf<typeof ozConfig>;
