import type { HeaderObject, HeadersObject, ReferenceObject } from '@nestjs/swagger';

/** The response headers the contract names, defined once under `components.headers`. */
export const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description:
      "The request's id: the caller's X-Request-Id when it is a sane token (at most 128 characters of A-Za-z0-9._:-), else a new UUID. Also in every log line of the request and sent to Oz.",
    schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  },
  'Retry-After': {
    description: 'Seconds to wait before the same request may succeed.',
    schema: { type: 'integer', minimum: 1 },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme the route expects.',
    schema: { type: 'string', enum: ['Bearer'] },
  },
  'RateLimit-Limit': {
    description: 'Sessions one client address may start per minute (RATE_LIMIT_SESSIONS_PER_MINUTE); absent when that limit is off.',
    schema: { type: 'integer', minimum: 1 },
  },
  'RateLimit-Remaining': {
    description: 'Sessions this client address may still start in the current minute; absent when the limit is off.',
    schema: { type: 'integer', minimum: 0 },
  },
  'RateLimit-Reset': {
    description: 'Seconds until the current minute of the address limit ends; absent when the limit is off.',
    schema: { type: 'integer', minimum: 1 },
  },
} satisfies Record<string, HeaderObject>;

export type ResponseHeaderName = keyof typeof RESPONSE_HEADERS;

export function headerRef(name: ResponseHeaderName): ReferenceObject {
  return { $ref: `#/components/headers/${name}` };
}

export function headerRefs(...names: ResponseHeaderName[]): HeadersObject {
  return Object.fromEntries(names.map((name) => [name, headerRef(name)]));
}

/** Every answer of POST /v1/sessions carries the address limit's state (docs/api.md §8). */
export const RATE_LIMIT_HEADERS = headerRefs('RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset');
