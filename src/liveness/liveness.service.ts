import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { logAnalysis } from '../common/analysis-log';
import { AppError } from '../common/app-error';
import { ozProblem, saturatedProblem } from '../common/oz-problems';
import { DecisionService } from '../decision/decision.service';
import { OzApiGateway } from '../oz-api/oz-api.gateway';
import { OzApiError } from '../oz-api/oz-api.error';
import { type Claim, SessionLifecycle, sessionExpired, sessionInProgress } from '../session/session-lifecycle';
import { sessionNotFound } from '../session/session.errors';
import type { SessionRecord, UploadLease } from '../session/session.types';
import { ContainerReceiver, type ReceivedContainer } from './container-receiver';
import { ContainerDiagnostics } from './container-diagnostics';
import { type LivenessAnswer, toLivenessAnswer } from './liveness-answer';

export interface LivenessOutcome {
  /** True when this answers a client retry of the same container from the stored result. */
  replayed: boolean;
  answer: LivenessAnswer;
}

export interface Upload {
  sessionId: string;
  /** The bearer token of the request: proof that the caller started this session. */
  token: string;
  body: Readable;
  declaredLength: number | null;
  /** The client address (docs/api.md §8), whose share of the upload budget the body takes. */
  address: string;
  requestId: string;
}

/**
 * A liveness upload, in docs/api.md §3 order: an empty declared body, then the session (404, 401,
 * 410, 409) before any byte is read; an Oz slot and room in the upload budget (503) before the
 * body is received; the atomic claim; Oz; the result recorded, then the answer.
 */
@Injectable()
export class LivenessService {
  private readonly logger = new Logger(LivenessService.name);

  constructor(
    private readonly gateway: OzApiGateway,
    private readonly lifecycle: SessionLifecycle,
    private readonly decisions: DecisionService,
    private readonly receiver: ContainerReceiver,
    private readonly diagnostics: ContainerDiagnostics,
  ) {}

  async upload(upload: Upload): Promise<LivenessOutcome> {
    if (upload.declaredLength === 0) throw containerMissing();
    const session = await this.lifecycle.admitUpload(upload.sessionId, upload.token);
    // A replay needs no Oz slot; a first upload is refused before its body is read when none is free.
    if (session.status === 'open' && !this.gateway.hasAnalysisCapacity()) throw saturatedProblem({ closeConnection: true });
    const container = await this.receiver.receive(upload.body, upload.declaredLength, upload.address);
    try {
      if (container.length === 0) throw containerMissing();
      const claim = await this.lifecycle.claimUpload(session, container.sha256);
      return await this.settle(claim, container, upload);
    } finally {
      container.release();
    }
  }

  private async settle(claim: Claim, container: ReceivedContainer, upload: Upload): Promise<LivenessOutcome> {
    switch (claim.outcome) {
      case 'not-found':
        throw sessionNotFound();
      case 'expired':
        throw sessionExpired();
      case 'in-progress':
        throw sessionInProgress();
      case 'already-used':
        throw new AppError('SESSION_ALREADY_USED', 'This session already took another container. Start a new session.');
      case 'replay':
        await this.lifecycle.replayed(claim.session);
        return { replayed: true, answer: replay(claim.session) };
      case 'claimed':
        return { replayed: false, answer: await this.analyse(claim.session, claim.lease, container, upload.requestId) };
    }
  }

  private async analyse(session: SessionRecord, lease: UploadLease, container: ReceivedContainer, requestId: string): Promise<LivenessAnswer> {
    const started = performance.now();
    const line = { analysis: 'liveness' as const, requestId, sessionId: session.id };
    try {
      const { httpStatus, folder } = await this.gateway.analyzeContainer(container, { requestId });
      const assessment = this.decisions.forLiveness(folder);
      // Oz answered: the analysis has its line even if recording its result fails below.
      logAnalysis(this.logger, {
        ...line,
        folderId: folder.folderId,
        eventSessionId: folder.eventSessionId,
        ozStatus: httpStatus,
        ozErrorCode: null,
        decision: assessment.decision,
        durationMs: performance.now() - started,
      });
      const findings = { assessment, folderId: folder.folderId, eventSessionId: folder.eventSessionId, bestShot: folder.bestShot };
      const stored = await this.lifecycle.completeLiveness(session, lease, findings);
      return toLivenessAnswer(stored);
    } catch (error) {
      if (error instanceof OzApiError) {
        logAnalysis(this.logger, {
          ...line,
          folderId: null,
          eventSessionId: null,
          ozStatus: error.httpStatus,
          ozErrorCode: error.ozErrorCode,
          decision: null,
          durationMs: performance.now() - started,
        });
      }
      throw await this.failed(session, lease, container, error, requestId);
    }
  }

  /** Only an Oz container rejection fails the session for good; anything else leaves it open. */
  private async failed(session: SessionRecord, lease: UploadLease, container: ReceivedContainer, error: unknown, requestId: string): Promise<unknown> {
    if (!(error instanceof OzApiError && error.isContainerRejection)) {
      await this.lifecycle.releaseUpload(session.id, lease).catch(() => undefined);
      return error;
    }
    const problem = ozProblem(error);
    await this.lifecycle.failLiveness(session, lease, { code: problem.code, detail: problem.detail, ozErrorCode: error.ozErrorCode });
    if (error.ozErrorCode === 14) await this.diagnostics.keep(container, { requestId, sessionId: session.id, ozErrorCode: 14 });
    return problem;
  }
}

function containerMissing(): AppError {
  return new AppError('CONTAINER_MISSING', 'The request carries no container.');
}

/** The first answer again: the stored result, or the stored error. */
function replay(session: SessionRecord): LivenessAnswer {
  if (session.result) return toLivenessAnswer(session);
  const failure = session.failure;
  if (!failure) throw new Error(`session ${session.id} is ${session.status} without a result or a failure`);
  throw new AppError(failure.code, failure.detail, { ozErrorCode: failure.ozErrorCode });
}
