import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AttemptLimits } from '../attempts/attempt-limits';
import { logAnalysis } from '../common/analysis-log';
import { AppError } from '../common/app-error';
import { saturatedProblem } from '../common/oz-problems';
import { limitsConfig, type LimitsConfig } from '../config';
import { DecisionService } from '../decision/decision.service';
import type { LivenessCheck } from '../decision/decision.types';
import { type FaceMatchImage, OzApiGateway } from '../oz-api/oz-api.gateway';
import { OzApiError } from '../oz-api/oz-api.error';
import { OzCapacity } from '../oz-capacity/oz-capacity';
import { SessionLifecycle } from '../session/session-lifecycle';
import { bestShotExpired, bestShotNotFound, sessionNotFound } from '../session/session.errors';
import type { SessionRecord, SessionResult } from '../session/session.types';
import { type SessionView, toSessionView } from '../session/session.view';
import { type ImageHeader, readImageHeader } from './image-header';
import type { ReferenceForm } from './reference-form';
import type { ReceivedReference } from './reference-receiver';

/** The face match's answer: the session view, and the failed attempts the vouched subject has left (docs/api.md §14). */
export type BiometryAnswer = SessionView & { attemptsRemaining: number | null };

const TAGS = { document: ['photo_id', 'photo_id_front'], selfie: ['photo_selfie'] } as const;

/** Face matching of a reference photo against the session's best shot (docs/api.md §1). */
@Injectable()
export class BiometryService {
  private readonly logger = new Logger(BiometryService.name);

  constructor(
    private readonly gateway: OzApiGateway,
    private readonly lifecycle: SessionLifecycle,
    private readonly decisions: DecisionService,
    private readonly attempts: AttemptLimits,
    @Inject(OzCapacity) private readonly capacity: OzCapacity | null,
    @Inject(limitsConfig.KEY) private readonly limits: LimitsConfig,
  ) {}

  /** `abandoned` fires when the client leaves: a wait for the deployment's Oz capacity (§13) ends at once. */
  async match(sessionId: string, readForm: () => Promise<ReceivedReference>, requestId: string, abandoned?: AbortSignal): Promise<BiometryAnswer> {
    if (!this.gateway.hasAnalysisCapacity()) throw saturatedProblem({ closeConnection: true });
    const form = await readForm();
    // The reference holds its room in the upload budget until Oz is done with it.
    try {
      return await this.matchReceived(sessionId, form, requestId, abandoned ?? new AbortController().signal);
    } finally {
      form.release();
    }
  }

  private async matchReceived(sessionId: string, form: ReferenceForm, requestId: string, abandoned: AbortSignal): Promise<BiometryAnswer> {
    const { session, result, bestShot } = await this.prerequisites(sessionId);
    const contentType = this.checkedHeader(form.reference).type;
    const extension = contentType === 'image/png' ? 'png' : 'jpg';
    const images: FaceMatchImage[] = [
      { name: `reference.${extension}`, bytes: form.reference, contentType, tags: [...TAGS[form.referenceType]] },
      { name: 'best-shot.jpg', bytes: bestShot, contentType: 'image/jpeg', tags: ['photo_selfie'] },
    ];
    let started = performance.now();
    const line = { analysis: 'biometry' as const, requestId, sessionId, eventSessionId: result.eventSessionId };
    const call = () => {
      started = performance.now();
      return this.gateway.matchFaces(images, { requestId });
    };
    try {
      const { httpStatus, folder } = this.capacity ? await this.capacity.run(abandoned, call) : await call();
      const assessment = this.decisions.forBiometry(livenessCheckOf(result), folder);
      // Oz answered: the analysis has its line even if recording its result fails below.
      logAnalysis(this.logger, {
        ...line,
        folderId: folder.folderId,
        ozStatus: httpStatus,
        ozErrorCode: null,
        decision: assessment.decision,
        durationMs: performance.now() - started,
      });
      const stored = await this.lifecycle.recordBiometry(session, assessment, folder.folderId);
      const now = this.lifecycle.now();
      return { ...toSessionView(stored, now), attemptsRemaining: await this.attempts.remaining(stored, now) };
    } catch (error) {
      if (error instanceof OzApiError) {
        logAnalysis(this.logger, {
          ...line,
          folderId: null,
          ozStatus: error.httpStatus,
          ozErrorCode: error.ozErrorCode,
          decision: null,
          durationMs: performance.now() - started,
        });
      }
      throw error;
    }
  }

  /** The header decoded and the pixels bounded before Oz sees the image (docs/api.md §16). */
  private checkedHeader(reference: Buffer): ImageHeader {
    const header = readImageHeader(reference);
    if (header === null) throw new AppError('REFERENCE_INVALID', 'The reference is not a JPEG or PNG image whose header decodes.');
    if (header.width * header.height > this.limits.maxReferencePixels) {
      throw new AppError('REFERENCE_INVALID', 'The reference image has more pixels than MAX_REFERENCE_PIXELS.');
    }
    return header;
  }

  /**
   * In docs/api.md §3 precedence: 404 session, 410 expired best shot, 409 liveness not accepted,
   * 404 no best shot. 410 comes before 409 (a declined session's best shot expires too), while
   * 404 BEST_SHOT_NOT_FOUND is defined for accepted sessions only (§1).
   */
  private async prerequisites(sessionId: string): Promise<{ session: SessionRecord; result: SessionResult; bestShot: Buffer }> {
    const session = await this.lifecycle.find(sessionId);
    const lookup = await this.lifecycle.bestShotOf(sessionId);
    if (lookup.state === 'session-not-found') throw sessionNotFound();
    if (lookup.state === 'expired') throw bestShotExpired();
    if (session.result?.liveness.decision !== 'accepted') {
      throw new AppError('LIVENESS_NOT_ACCEPTED', 'Face matching needs an accepted liveness check first.');
    }
    if (lookup.state === 'none') throw bestShotNotFound();
    return { session, result: session.result, bestShot: lookup.bytes };
  }
}

function livenessCheckOf(result: SessionResult): LivenessCheck {
  const check = result.checks.find((c): c is LivenessCheck => c.type === 'liveness');
  if (!check) throw new Error('an accepted liveness result without a liveness check');
  return check;
}
