import type { IncomingHttpHeaders } from 'node:http';

/** The token of `Authorization: Bearer <token>` (RFC 6750, scheme in any case), or null. */
export function bearerTokenOf(headers: IncomingHttpHeaders): string | null {
  const authorization = headers.authorization;
  const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  return match ? match[1] : null;
}
