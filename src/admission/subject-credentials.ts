import { createParamDecorator, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { subjectsConfig, type SubjectsConfig } from '../config';
import { unauthorized } from './unauthorized';
import { ApiKeyVerifier } from './api-key.verifier';
import { bearerTokenOf } from './bearer-token';
import { SubjectTokenVerifier } from './subject-token.verifier';

/**
 * Who created a session (docs/api.md §14): nobody in particular (the browser's word), the
 * company's backend with an internal key (its body's subjectId is trusted), or a signed-in user
 * with a token of the company's identity provider (its `sub` is the subject).
 */
export type SessionCaller = { kind: 'anonymous' } | { kind: 'key' } | { kind: 'token'; subjectId: string };

const ANONYMOUS: SessionCaller = { kind: 'anonymous' };
const callers = new WeakMap<FastifyRequest, SessionCaller>();

/**
 * The credentials of a route that is public but may vouch for its subject. Credentials that are
 * sent must count: a bearer value that is neither a key nor a token that verifies is a 401 (also
 * when no key source is configured), never quietly anonymous.
 */
@Injectable()
export class SubjectCredentials {
  constructor(
    private readonly keys: ApiKeyVerifier,
    private readonly tokens: SubjectTokenVerifier,
    @Inject(subjectsConfig.KEY) private readonly config: SubjectsConfig,
  ) {}

  /** Identifies the caller before the body is read, and keeps the answer for the route (`@Caller()`). */
  async identify(request: FastifyRequest): Promise<SessionCaller> {
    const caller = await this.callerOf(request);
    callers.set(request, caller);
    return caller;
  }

  private async callerOf(request: FastifyRequest): Promise<SessionCaller> {
    const { headers } = request;
    const keyHeader = headers['x-api-key'] !== undefined;
    if (!keyHeader && headers.authorization === undefined) {
      if (this.config.required) throw unauthorized('Send an internal API key or a subject token: anonymous sessions are not accepted.');
      return ANONYMOUS;
    }
    if (this.keys.isAuthorized(headers)) return { kind: 'key' };
    const token = keyHeader ? null : bearerTokenOf(headers);
    const subjectId = token === null ? null : await this.tokens.subjectOf(token);
    if (subjectId === null) throw unauthorized('The credentials are neither an internal API key nor a subject token that verifies.');
    return { kind: 'token', subjectId };
  }
}

/** The caller that admission identified for this request (anonymous on a route that identifies none). */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): SessionCaller => {
  return callers.get(ctx.switchToHttp().getRequest<FastifyRequest>()) ?? ANONYMOUS;
});
