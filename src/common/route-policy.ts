import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * What a route demands before its body is read, enforced by the onRequest hook of
 * `app.setup.ts`: internal routes check the API key first (contract §3: 401 before the body),
 * then the media type (415 before 413 and before any parsing).
 */
export interface RoutePolicy {
  internal?: boolean;
  /** Accepted media types of a non-empty body (lowercase, without parameters). */
  bodyTypes?: string[];
  /** An empty body is welcome with any or no Content-Type. */
  emptyBodyWithAnyType?: boolean;
  /** The route calls an Oz analysis: refuse at once, before the body, when none can start. */
  analysis?: boolean;
}

export const ROUTE_POLICY = 'policy';

export const Policy = (policy: RoutePolicy) => RouteConfig({ [ROUTE_POLICY]: policy });

export function mediaTypeOf(header: string | undefined): string | null {
  if (!header) return null;
  const type = header.split(';', 1)[0].trim().toLowerCase();
  return type.length > 0 ? type : null;
}

export function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}
