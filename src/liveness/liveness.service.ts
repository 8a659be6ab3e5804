import { performance } from 'node:perf_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { logAnalysis } from '../common/analysis-log';
import { AppError } from '../common/app-error';
import { DecisionService } from '../decision/decision.service';
import { OzApiGateway } from '../oz-api/oz-api.gateway';
import { OzApiError } from '../oz-api/oz-api.error';
import { isContainerRejection, livenessProblem } from '../oz-api/oz-problem.map';
import { Clock } from '../session/clock';
import { sessionNotFound } from '../session/session.errors';
import { SessionStore } from '../session/session.store';
import type { SessionRecord, SessionResult } from '../session/session.types';
import { type LivenessAnswer, toLivenessAnswer } from '../session/session.view';
import type { ContainerBody } from './container-body';
import { ContainerDiagnostics } from './container-diagnostics';

export interface LivenessOutcome {
  /** True when this answers a client retry of the same container from the stored result. */
  replayed: boolean;
  answer: LivenessAnswer;
}

interface Upload {
  sessionId: string;
  container: ContainerBody;
  requestId: string;
}

@Injectable()
export class LivenessService {
  private readonly logger = new Logger(LivenessService.name);

  constructor(
    private readonly gateway: OzApiGateway,
    private readonly store: SessionStore,
    private readonly clock: Clock,
    private readonly decisions: DecisionService,
    private readonly diagnostics: ContainerDiagnostics,
  ) {}

  async upload(upload: Upload): Promise<LivenessOutcome> {
    const { bytes, sha256 } = upload.container;
    if (bytes.length === 0) throw new AppError('CONTAINER_MISSING', 'The request carries no container.');
    const claim = await this.store.claimForUpload(upload.sessionId, sha256, this.clock.now());
    switch (claim.outcome) {
      case 'not-found':
        throw sessionNotFound();
      case 'expired':
        throw new AppError('SESSION_EXPIRED', 'The session expired before a container arrived. Start a new session.');
      case 'in-progress':
        throw new AppError('SESSION_IN_PROGRESS', 'A container for this session is being analysed.');
      case 'already-used':
        throw new AppError('SESSION_ALREADY_USED', 'This session already took another container. Start a new session.');
      case 'replay':
        return { replayed: true, answer: replay(claim.session) };
      case 'claimed':
        return { replayed: false, answer: await this.analyse(upload) };
    }
  }

  private async analyse(upload: Upload): Promise<LivenessAnswer> {
    const { sessionId, requestId } = upload;
    const started = performance.now();
    try {
      const { httpStatus, folder } = await this.gateway.analyzeContainer(upload.container.bytes, { requestId });
      const verdict = this.decisions.forLiveness(folder);
      const result: SessionResult = {
        ...verdict,
        folderId: folder.folderId,
        eventSessionId: folder.eventSessionId,
        completedAt: this.clock.now(),
        livenessAccepted: verdict.decision === 'accepted',
      };
      await this.store.complete(sessionId, result, folder.bestShot);
      logAnalysis(this.logger, {
        analysis: 'liveness',
        requestId,
        sessionId,
        folderId: result.folderId,
        eventSessionId: result.eventSessionId,
        ozStatus: httpStatus,
        ozErrorCode: null,
        decision: result.decision,
        durationMs: performance.now() - started,
      });
      return toLivenessAnswer(sessionId, result);
    } catch (error) {
      return this.failed(upload, error, performance.now() - started);
    }
  }

  /** Only an Oz container rejection fails the session for good; anything else leaves it open. */
  private async failed(upload: Upload, error: unknown, durationMs: number): Promise<never> {
    const { sessionId, requestId } = upload;
    if (!(error instanceof OzApiError)) {
      await this.store.release(sessionId);
      throw error;
    }
    const { httpStatus: ozStatus, ozErrorCode } = error;
    logAnalysis(this.logger, { analysis: 'liveness', requestId, sessionId, folderId: null, eventSessionId: null, ozStatus, ozErrorCode, decision: null, durationMs });
    const problem = livenessProblem(error);
    if (!isContainerRejection(error)) {
      await this.store.release(sessionId);
      throw problem;
    }
    await this.store.fail(sessionId, { code: problem.code, detail: problem.detail, ozErrorCode });
    if (ozErrorCode === 14) await this.diagnostics.keep(upload.container.bytes, { requestId, sessionId, ozErrorCode });
    throw problem;
  }
}

/** The first answer again: the stored result, or the stored error. */
function replay(session: SessionRecord): LivenessAnswer {
  if (session.result) return toLivenessAnswer(session.id, session.result);
  const failure = session.failure;
  if (!failure) throw new Error(`session ${session.id} is ${session.status} without a result or a failure`);
  throw new AppError(failure.code, failure.detail, { ozErrorCode: failure.ozErrorCode });
}
