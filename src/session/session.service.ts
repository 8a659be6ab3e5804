import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { ozConfig, type OzConfig, sessionConfig, type SessionConfig } from '../config';
import { OzApiGateway } from '../oz-api/oz-api.gateway';
import { OzApiError } from '../oz-api/oz-api.error';
import { upstreamProblem } from '../oz-api/oz-problem.map';
import { Clock } from './clock';
import { SessionStore } from './session.store';
import type { SessionRecord } from './session.types';
import { sessionNotFound } from './session.errors';
import { type SessionView, toSessionView } from './session.view';

export interface CreatedSession {
  sessionId: string;
  sessionToken: string;
  expiresAt: string;
}

const STORE_FULL_RETRY_AFTER_SECONDS = 30;

@Injectable()
export class SessionService {
  constructor(
    private readonly gateway: OzApiGateway,
    private readonly store: SessionStore,
    private readonly clock: Clock,
    @Inject(ozConfig.KEY) private readonly oz: OzConfig,
    @Inject(sessionConfig.KEY) private readonly config: SessionConfig,
  ) {}

  async create(subjectId: string | null, requestId: string): Promise<CreatedSession> {
    const { token, expiresAt: tokenExpiry } = await this.gateway.issueSessionToken({ requestId }).catch(rethrowUpstream);
    const now = this.clock.now();
    const expiresAt = tokenExpiry ?? new Date(now.getTime() + this.oz.sessionTtlSeconds * 1000);
    const session: SessionRecord = {
      id: randomUUID(),
      subjectId,
      createdAt: now,
      expiresAt,
      purgeAt: new Date(now.getTime() + this.config.resultTtlSeconds * 1000),
      status: 'open',
      containerSha256: null,
      result: null,
      failure: null,
      bestShot: { returned: false, heldUntil: null },
    };
    // The token is handed to the frontend and never kept: the service has no use for it later.
    if (!(await this.store.create(session))) {
      throw new AppError('SERVICE_BUSY', 'Too many sessions are open; retry shortly.', { retryAfterSeconds: STORE_FULL_RETRY_AFTER_SECONDS });
    }
    return { sessionId: session.id, sessionToken: token, expiresAt: expiresAt.toISOString() };
  }

  async view(sessionId: string): Promise<SessionView> {
    const now = this.clock.now();
    const session = await this.store.get(sessionId, now);
    if (!session) throw sessionNotFound();
    return toSessionView(session, now);
  }
}

function rethrowUpstream(error: unknown): never {
  throw error instanceof OzApiError ? upstreamProblem(error) : error;
}
