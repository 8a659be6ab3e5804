import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiSecurity } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { SecuritySchemeName } from './security-schemes';

/**
 * What a route demands before its body is read; every route declares one (`@Admit.*`), and the
 * application refuses to start when one does not (admission.ts). Checked in docs/api.md §3 order:
 * the caller (401), the address limit (429), the media type (415), the declared size (413).
 */
export interface RoutePolicy {
  /** public: browsers and apps; internal: an API key; probe: Kubernetes (health). */
  audience: 'public' | 'internal' | 'probe';
  body?: BodyPolicy;
  /** The liveness upload: `Authorization: Bearer <sessionToken>` must be present (checked against the session later). */
  sessionToken?: boolean;
  /** POST /v1/sessions: the per-address limit of docs/api.md §8. */
  addressLimit?: boolean;
  /**
   * POST /v1/sessions: public, optionally authenticated (docs/api.md §14). No credentials is an
   * anonymous call (refused with SUBJECT_REQUIRED); an internal key or a subject token vouches for
   * the subject; any other credentials are a 401. A key's call skips the address limit.
   */
  subjectCredentials?: boolean;
}

/** Which configured limit bounds a body (MAX_CONTAINER_BYTES, MAX_IMAGE_BYTES plus form framing, or small JSON). */
export type BodyLimit = 'container' | 'reference-form' | 'json';

export interface BodyPolicy {
  /** Accepted media types of a non-empty body (lowercase, without parameters). */
  types: string[];
  limit: BodyLimit;
  /** An empty body is welcome with any or no Content-Type. */
  emptyWithAnyType?: boolean;
}

const POLICY = 'admission';

/** The API document's security requirements of a route follow from its policy, so that the two cannot drift apart. */
function documentedSchemes(policy: RoutePolicy): SecuritySchemeName[] {
  if (policy.audience === 'internal' || policy.subjectCredentials)
    return ['internalKeyBearer', 'internalKeyHeader', ...(policy.subjectCredentials ? ['subjectToken' as const] : [])];
  return policy.sessionToken ? ['sessionToken'] : [];
}

/** An empty security requirement: the route may also be called without credentials. */
const anonymousToo = (policy: RoutePolicy) => (policy.subjectCredentials ? [ApiSecurity({})] : []);

const admit = (policy: RoutePolicy) =>
  applyDecorators(RouteConfig({ [POLICY]: policy }), ...anonymousToo(policy), ...documentedSchemes(policy).map((name) => ApiSecurity(name)));

export const Admit = {
  public: (policy: Omit<RoutePolicy, 'audience'> = {}) => admit({ audience: 'public', ...policy }),
  internal: (policy: Omit<RoutePolicy, 'audience'> = {}) => admit({ audience: 'internal', ...policy }),
  probe: () => admit({ audience: 'probe' }),
};

/** The policy a route was declared with, from the options Fastify keeps for it. */
export function policyOf(config: unknown): RoutePolicy | undefined {
  return (config as { [POLICY]?: RoutePolicy } | undefined)?.[POLICY];
}

export function requestPolicy(request: FastifyRequest): RoutePolicy | undefined {
  return policyOf(request.routeOptions.config);
}

export function mediaTypeOf(header: string | undefined): string | null {
  if (!header) return null;
  const type = header.split(';', 1)[0].trim().toLowerCase();
  return type.length > 0 ? type : null;
}

/** The declared Content-Length; null for a chunked body; 0 with neither header (HTTP/1.1: no body). */
export function declaredLengthOf(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): number | null {
  if (headers['transfer-encoding'] !== undefined) return null;
  const length = headers['content-length'];
  return length === undefined ? 0 : Number(length);
}

export function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}
