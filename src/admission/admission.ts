import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { httpConfig, type HttpConfig } from '../config';
import { RateLimits } from '../rate-limits/rate-limits';
import { ApiKeyVerifier } from './api-key.verifier';
import { bearerTokenOf } from './bearer-token';
import { BodyLimits, payloadTooLarge } from './body-limits';
import { SubjectCredentials } from './subject-credentials';
import { unauthorized } from './unauthorized';
import { servedHere } from './listener';
import { declaredLengthOf, hasBody, mediaTypeOf, type RoutePolicy, requestPolicy } from './route-policy';
import { RouteInventory } from './route-inventory';

export { unauthorized } from './unauthorized';

/**
 * Admits or refuses a request from its head alone, before any of the body is read: first whether
 * the route exists on this listener (404, or 405 for another method, docs/api.md §16) and a single
 * Authorization header (400), then in the order of docs/api.md §3: the caller (401), the address
 * limit (429), the media type (415), the declared size (413). Runs in the onRequest hook of every request (app.setup.ts); synchronous unless the route
 * has an address limit, since an async hook costs a promise on every request.
 */
@Injectable()
export class Admission {
  private readonly separated: boolean;

  constructor(
    private readonly keys: ApiKeyVerifier,
    private readonly limits: BodyLimits,
    private readonly rateLimits: RateLimits,
    private readonly subjects: SubjectCredentials,
    private readonly inventory: RouteInventory,
    @Inject(httpConfig.KEY) http: HttpConfig,
  ) {
    this.separated = http.internalPort !== null;
  }

  admit(request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
    const policy = requestPolicy(request);
    if (!policy) return this.unrouted(request);
    if (!servedHere(policy.audience, request.raw, this.separated)) throw routeNotFound();
    if (authorizationHeaders(request.raw.rawHeaders) > 1) throw new AppError('VALIDATION_FAILED', 'Send one Authorization header, not several.');
    this.checkCaller(policy, request);
    if (policy.subjectCredentials) return this.subjects.identify(request).then((caller) => this.admitCounted(policy, request, reply, caller.kind !== 'key'));
    return this.admitCounted(policy, request, reply, true);
  }

  /** A call with a valid internal key is not counted by the address limit (docs/api.md §14): a company backend creates sessions for many people. */
  private admitCounted(policy: RoutePolicy, request: FastifyRequest, reply: FastifyReply, counted: boolean): Promise<void> | undefined {
    if (policy.addressLimit && counted) return this.rateLimits.admitAddress(request.ip, reply).then(() => this.checkBody(policy, request));
    if (policy.addressLimit) return this.rateLimits.describeAddress(request.ip, reply).then(() => this.checkBody(policy, request));
    this.checkBody(policy, request);
    return undefined;
  }

  /**
   * No route matched (every route declares a policy; the CORS plugin's catch-all for preflights
   * has a URL of its own): a path served with other methods on this listener is 405 with `Allow`,
   * anything else the 404 that follows.
   */
  private unrouted(request: FastifyRequest): undefined {
    if (request.routeOptions.url !== undefined) return undefined;
    const path = request.url.split('?', 1)[0];
    const methods = this.inventory
      .routesAt(path)
      .filter((route) => servedHere(route.policy.audience, request.raw, this.separated))
      .map((route) => route.method);
    if (methods.length === 0) return undefined;
    throw new AppError('METHOD_NOT_ALLOWED', `${request.method} is not served here.`, { headers: { allow: [...new Set(methods)].sort().join(', ') } });
  }

  private checkCaller(policy: RoutePolicy, request: FastifyRequest): void {
    if (policy.audience === 'internal' && !this.keys.isAuthorized(request.headers)) {
      throw unauthorized('A valid API key is required.');
    }
    if (policy.sessionToken && bearerTokenOf(request.headers) === null) {
      throw unauthorized("Send the session's token as Authorization: Bearer <sessionToken>.");
    }
  }

  private checkBody(policy: RoutePolicy, request: FastifyRequest): void {
    const body = policy.body;
    if (!body) return;
    const headers = request.headers as { 'content-length'?: string; 'transfer-encoding'?: string };
    if (body.emptyWithAnyType && !hasBody(headers)) return;
    const type = mediaTypeOf(request.headers['content-type']);
    if (type === null || !body.types.includes(type)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send the body as ${body.types.join(' or ')}.`);
    }
    const declared = declaredLengthOf(headers);
    if (declared !== null && declared > this.limits.bytes(body.limit)) throw payloadTooLarge(body.limit);
  }
}

function routeNotFound(): AppError {
  return new AppError('ROUTE_NOT_FOUND', 'No such route.');
}

/** Node keeps the first of several Authorization headers and drops the rest: count them in the raw list. */
function authorizationHeaders(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'authorization') count++;
  return count;
}
