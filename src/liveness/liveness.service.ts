import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AttemptLimits } from '../attempts/attempt-limits';
import { logAnalysis } from '../common/analysis-log';
import { AppError } from '../common/app-error';
import { saturatedProblem } from '../common/oz-problems';
import { DecisionService } from '../decision/decision.service';
import { OzApiGateway } from '../oz-api/oz-api.gateway';
import { OzApiError } from '../oz-api/oz-api.error';
import { OzCapacity, type OzCapacityPermit } from '../oz-capacity/oz-capacity';
import { type Claim, SessionLifecycle, sessionExpired } from '../session/session-lifecycle';
import { sessionNotFound } from '../session/session.errors';
import type { SessionRecord, UploadLease } from '../session/session.types';
import { containerRejection } from './capture-reuse';
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
  /** Fires when the client leaves (its socket closed): a wait for Oz capacity ends at once. */
  abandoned?: AbortSignal;
}

/**
 * A liveness upload, in docs/api.md §3 order: an empty declared body, then the session (404, 401,
 * 410, 409) and a locked subject (429) before any byte is read; an Oz slot and room in the upload
 * budget (503) before the body is received; with OZ_CAPACITY, a slot of the deployment's capacity
 * (a wait, the body still held and counted); the atomic claim; Oz; the result recorded, then the answer.
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
    private readonly attempts: AttemptLimits,
    @Inject(OzCapacity) private readonly capacity: OzCapacity | null,
  ) {}

  async upload(upload: Upload): Promise<LivenessOutcome> {
    if (upload.declaredLength === 0) throw containerMissing();
    const session = await this.lifecycle.admitUpload(upload.sessionId, upload.token);
    // A locked subject's capture is refused before its body is read (docs/api.md §14); a replay is not a new attempt.
    if (session.status === 'open') await this.attempts.admit(session, this.lifecycle.now());
    // A replay needs no Oz slot; a first upload is refused before its body is read when none is free.
    if (session.status === 'open' && !this.gateway.hasAnalysisCapacity()) throw saturatedProblem({ closeConnection: true });
    const container = await this.receiver.receive(upload.body, upload.declaredLength, upload.address);
    let slot: OzCapacityPermit | null = null;
    try {
      if (container.length === 0) throw containerMissing();
      // Before the claim, so that the claim's lease (OZ_TIMEOUT_MS + 10 s) covers the Oz call and
      // not the wait as well; a refused wait (503) leaves the session as it was (docs/api.md §13).
      if (this.capacity && session.status === 'open') slot = await this.capacity.acquire(upload.abandoned ?? new AbortController().signal);
      const claim = await this.lifecycle.claimUpload(session, container.sha256);
      return await this.settle(claim, container, upload.requestId, slot);
    } finally {
      slot?.release();
      container.release();
    }
  }

  private async settle(claim: Claim, container: ReceivedContainer, requestId: string, slot: OzCapacityPermit | null): Promise<LivenessOutcome> {
    switch (claim.outcome) {
      case 'not-found':
        throw sessionNotFound();
      case 'expired':
        throw sessionExpired();
      case 'already-used':
        throw new AppError('SESSION_ALREADY_USED', 'This session already took another container. Start a new session.');
      case 'replay':
        await this.lifecycle.replayed(claim.session);
        return { replayed: true, answer: replay(claim.session, await this.attemptsRemaining(claim.session)) };
      case 'claimed':
        return { replayed: false, answer: await this.analyse(claim.session, claim.lease, container, requestId, slot) };
    }
  }

  private async analyse(
    session: SessionRecord,
    lease: UploadLease,
    container: ReceivedContainer,
    requestId: string,
    slot: OzCapacityPermit | null,
  ): Promise<LivenessAnswer> {
    const started = performance.now();
    const line = { analysis: 'liveness' as const, requestId, sessionId: session.id };
    try {
      // The slot goes back once Oz answered: recording the result does not keep Oz from the next analysis.
      const { httpStatus, folder } = await this.gateway.analyzeContainer(container, { requestId }).finally(() => slot?.release());
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
      return toLivenessAnswer(stored, await this.attemptsRemaining(stored));
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

  /** After the decision was recorded (and counted, when it was a failure): what the subject has left now. */
  private attemptsRemaining(session: SessionRecord): Promise<number | null> {
    return this.attempts.remaining(session, this.lifecycle.now());
  }

  /**
   * Only an Oz container rejection fails the session for good; anything else leaves it open,
   * marked when Oz may have used the container (a later code 14 then asks for a new capture, §18).
   */
  private async failed(session: SessionRecord, lease: UploadLease, container: ReceivedContainer, error: unknown, requestId: string): Promise<unknown> {
    if (!(error instanceof OzApiError && error.isContainerRejection)) {
      const mayHaveBeenUsed = error instanceof OzApiError && error.mayHaveBeenUsed;
      await this.lifecycle.releaseUpload(session.id, lease, mayHaveBeenUsed).catch(() => undefined);
      return error;
    }
    const problem = containerRejection(error, session, this.lifecycle.now());
    await this.lifecycle.failLiveness(session, lease, { code: problem.code, detail: problem.detail, ozErrorCode: error.ozErrorCode });
    if (error.ozErrorCode === 14) await this.diagnostics.keep(container, { requestId, sessionId: session.id, ozErrorCode: 14 });
    return problem;
  }
}

function containerMissing(): AppError {
  return new AppError('CONTAINER_MISSING', 'The request carries no container.');
}

/** The first answer again: the stored result, or the stored error. */
function replay(session: SessionRecord, attemptsRemaining: number | null): LivenessAnswer {
  if (session.result) return toLivenessAnswer(session, attemptsRemaining);
  const failure = session.failure;
  if (!failure) throw new Error(`session ${session.id} is ${session.status} without a result or a failure`);
  throw new AppError(failure.code, failure.detail, { ozErrorCode: failure.ozErrorCode });
}
