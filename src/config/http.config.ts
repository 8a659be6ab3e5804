import { Transform } from 'class-transformer';
import { IsInt, IsIP, IsOptional, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { DiffersFromVariable, IsTrustProxy } from './rules';
import { ToInt } from './transforms';

class HttpEnvironment {
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65_535)
  PORT = 3000;

  /** v1.2 (docs/api.md §16): the address every listener binds — PORT, INTERNAL_PORT and METRICS_PORT. */
  @IsIP(undefined, { message: 'must be an IPv4 or IPv6 address' })
  HOST = '0.0.0.0';

  /** v1.2: the internal routes' own port; unset, they share PORT (v1.1). 0: a port of the system's choice (tests). */
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65_535)
  @DiffersFromVariable('PORT')
  @DiffersFromVariable('METRICS_PORT')
  INTERNAL_PORT?: number;

  /** Read here only to keep INTERNAL_PORT apart from it; the metrics namespace validates it. */
  @ToInt()
  METRICS_PORT = 9464;

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

export const httpConfig = defineNamespace('http', HttpEnvironment, (env) => ({
  host: env.HOST,
  port: env.PORT,
  internalPort: env.INTERNAL_PORT ?? null,
  trustProxy: env.TRUST_PROXY,
}));
export type HttpConfig = ValueOf<typeof httpConfig>;
