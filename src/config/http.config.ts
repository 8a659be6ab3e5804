import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { IsTrustProxy } from './rules';
import { ToInt } from './transforms';

class HttpEnvironment {
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65_535)
  PORT = 3000;

  /** Fastify's trustProxy: how far X-Forwarded-For is believed for the client address (docs/api.md §8). */
  @Transform(({ value }) => trustProxyOf(value))
  @IsTrustProxy()
  TRUST_PROXY: boolean | number | string[] = false;
}

function trustProxyOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^\d+$/.test(text)) return Number(text);
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export const httpConfig = defineNamespace('http', HttpEnvironment, (env) => ({ port: env.PORT, trustProxy: env.TRUST_PROXY }));
export type HttpConfig = ValueOf<typeof httpConfig>;
