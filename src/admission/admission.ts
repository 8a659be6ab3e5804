import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { RateLimits } from '../rate-limits/rate-limits';
import { ApiKeyVerifier } from './api-key.verifier';
import { bearerTokenOf } from './bearer-token';
import { BodyLimits, payloadTooLarge } from './body-limits';
import { SubjectCredentials } from './subject-credentials';
import { unauthorized } from './unauthorized';
import { declaredLengthOf, hasBody, mediaTypeOf, type RoutePolicy, requestPolicy } from './route-policy';

export { unauthorized } from './unauthorized';

/**
 * Admits or refuses a request from its head alone, before any of the body is read, in the order
 * of docs/api.md §3: the caller (401), the address limit (429), the media type (415), the declared size
 * (413). Runs in the onRequest hook of every request (app.setup.ts); synchronous unless the route
 * has an address limit, since an async hook costs a promise on every request.
 */
@Injectable()
export class Admission {
  constructor(
    private readonly keys: ApiKeyVerifier,
    private readonly limits: BodyLimits,
    private readonly rateLimits: RateLimits,
    private readonly subjects: SubjectCredentials,
  ) {}

  admit(request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
    const policy = requestPolicy(request);
    // No policy at run time means no route matched (every route declares one): the 404 follows.
    if (!policy) return undefined;
    this.checkCaller(policy, request);
    if (policy.subjectCredentials) return this.subjects.identify(request).then((caller) => this.admitCounted(policy, request, reply, caller.kind !== 'key'));
    return this.admitCounted(policy, request, reply, true);
  }

  /** A call with a valid internal key is not counted by the address limit (docs/api.md §14): a company backend creates sessions for many people. */
  private admitCounted(policy: RoutePolicy, request: FastifyRequest, reply: FastifyReply, counted: boolean): Promise<void> | undefined {
    if (policy.addressLimit && counted) return this.rateLimits.admitAddress(request.ip, reply).then(() => this.checkBody(policy, request));
    this.checkBody(policy, request);
    return undefined;
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
