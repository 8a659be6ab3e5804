import { Injectable } from '@nestjs/common';
import { AttemptLimits } from '../attempts/attempt-limits';
import { OzApiGateway } from '../oz-api/oz-api.gateway';
import { RateLimits } from '../rate-limits/rate-limits';
import { SessionLifecycle, storeFull } from './session-lifecycle';
import type { SessionSubject } from './session.types';
import { type SessionView, toSessionView } from './session.view';

export interface CreatedSession {
  sessionId: string;
  sessionToken: string;
  expiresAt: string;
}

/** The session routes: start a session with a fresh Oz token, and show one to internal callers. */
@Injectable()
export class SessionService {
  constructor(
    private readonly gateway: OzApiGateway,
    private readonly lifecycle: SessionLifecycle,
    private readonly limits: RateLimits,
    private readonly attempts: AttemptLimits,
  ) {}

  /**
   * The cheap refusals come before the Oz token call: a full store (SERVICE_BUSY), a locked
   * vouched subject (ATTEMPTS_EXHAUSTED, before its rate limit counts a session it will not get),
   * then the subject's limit, the last check before Oz (docs/api.md §3). A token Oz never gave does not count.
   */
  async create(subject: SessionSubject, requestId: string): Promise<CreatedSession> {
    const { subjectId } = subject;
    const room = await this.lifecycle.room();
    if (!room.available) throw storeFull(room.retryAfterSeconds);
    await this.attempts.admit(subject, this.lifecycle.now());
    if (subjectId !== null) await this.limits.admitSubject(subjectId);
    try {
      const { token, expiresAt } = await this.gateway.issueSessionToken({ requestId });
      // The token is handed to the frontend and never kept: only its SHA-256, the upload's proof.
      const session = await this.lifecycle.open(subject, token, expiresAt);
      return { sessionId: session.id, sessionToken: token, expiresAt: session.expiresAt.toISOString() };
    } catch (error) {
      if (subjectId !== null) await this.limits.giveBackSubject(subjectId);
      throw error;
    }
  }

  async view(sessionId: string): Promise<SessionView> {
    return toSessionView(await this.lifecycle.find(sessionId), this.lifecycle.now());
  }
}
