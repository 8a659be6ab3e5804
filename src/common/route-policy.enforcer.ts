import type { FastifyRequest } from 'fastify';
import type { ApiKeyVerifier } from './api-key.verifier';
import { AppError } from './app-error';
import { hasBody, mediaTypeOf, ROUTE_POLICY, type RoutePolicy } from './route-policy';

/** The refusal of an analysis route when no Oz call could start now, or null when one could. */
export type AnalysisRefusal = () => AppError | null;

/**
 * The route's demands, checked in the onRequest hook before any of the body is read: the API key
 * (401, first in contract §3), the media type (415), then whether an analysis could start at all
 * (503): a saturated service refuses a 10 MB upload at once instead of after receiving it.
 */
export function policyEnforcer(verifier: ApiKeyVerifier, refuseAnalysis: AnalysisRefusal): (request: FastifyRequest) => void {
  return (request) => {
    const policy = (request.routeOptions.config as { [ROUTE_POLICY]?: RoutePolicy } | undefined)?.[ROUTE_POLICY];
    if (!policy) return;
    if (policy.internal && !verifier.isAuthorized(request.headers)) {
      throw new AppError('UNAUTHORIZED', 'A valid API key is required.', { headers: { 'www-authenticate': 'Bearer' } });
    }
    if (policy.bodyTypes) checkMediaType(request, policy, policy.bodyTypes);
    const refusal = policy.analysis ? refuseAnalysis() : null;
    if (refusal) throw refusal;
  };
}

function checkMediaType(request: FastifyRequest, policy: RoutePolicy, bodyTypes: string[]): void {
  const headers = request.headers as { 'content-length'?: string; 'transfer-encoding'?: string };
  if (policy.emptyBodyWithAnyType && !hasBody(headers)) return;
  const type = mediaTypeOf(request.headers['content-type']);
  if (type === null || !bodyTypes.includes(type)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the body as ${bodyTypes.join(' or ')}.`);
  }
}
