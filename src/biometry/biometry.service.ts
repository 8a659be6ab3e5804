import { performance } from 'node:perf_hooks';
import { Injectable, Logger } from '@nestjs/common';
import { logAnalysis } from '../common/analysis-log';
import { AppError } from '../common/app-error';
import { DecisionService } from '../decision/decision.service';
import type { LivenessCheck } from '../decision/decision.types';
import { bestShotExpired, bestShotNotFound } from '../liveness/best-shot.service';
import { type FaceMatchImage, OzApiGateway } from '../oz-api/oz-api.gateway';
import { OzApiError } from '../oz-api/oz-api.error';
import { biometryProblem } from '../oz-api/oz-problem.map';
import { Clock } from '../session/clock';
import { sessionNotFound } from '../session/session.errors';
import { SessionStore } from '../session/session.store';
import type { SessionResult } from '../session/session.types';
import { type SessionView, toSessionView } from '../session/session.view';
import { imageTypeOf } from './image-type';
import type { ReferenceForm } from './reference-form';

const TAGS = { document: ['photo_id', 'photo_id_front'], selfie: ['photo_selfie'] } as const;

@Injectable()
export class BiometryService {
  private readonly logger = new Logger(BiometryService.name);

  constructor(
    private readonly gateway: OzApiGateway,
    private readonly store: SessionStore,
    private readonly clock: Clock,
    private readonly decisions: DecisionService,
  ) {}

  async match(sessionId: string, form: ReferenceForm, requestId: string): Promise<SessionView> {
    const { result, bestShot } = await this.prerequisites(sessionId);
    const contentType = imageTypeOf(form.reference);
    if (contentType === null) throw new AppError('REFERENCE_INVALID', 'The reference is not a JPEG or PNG image.');
    const extension = contentType === 'image/png' ? 'png' : 'jpg';
    const images: FaceMatchImage[] = [
      { name: `reference.${extension}`, bytes: form.reference, contentType, tags: [...TAGS[form.referenceType]] },
      { name: 'best-shot.jpg', bytes: bestShot, contentType: 'image/jpeg', tags: ['photo_selfie'] },
    ];
    const started = performance.now();
    const log = { analysis: 'biometry' as const, requestId, sessionId, eventSessionId: result.eventSessionId };
    try {
      const { httpStatus, folder } = await this.gateway.matchFaces(images, { requestId });
      const verdict = this.decisions.forBiometry(livenessCheckOf(result), folder);
      // The liveness answer stays as it was: a replayed container must get the first answer again (§1).
      const livenessVerdict = result.livenessVerdict ?? { decision: result.decision, reason: result.reason };
      const updated: SessionResult = { ...result, ...verdict, livenessVerdict };
      await this.store.updateResult(sessionId, updated);
      logAnalysis(this.logger, { ...log, folderId: folder.folderId, ozStatus: httpStatus, ozErrorCode: null, decision: verdict.decision, durationMs: performance.now() - started });
      return this.view(sessionId);
    } catch (error) {
      if (!(error instanceof OzApiError)) throw error;
      logAnalysis(this.logger, { ...log, folderId: null, ozStatus: error.httpStatus, ozErrorCode: error.ozErrorCode, decision: null, durationMs: performance.now() - started });
      throw biometryProblem(error);
    }
  }

  /**
   * In contract §3 precedence: 404 session, 410 expired best shot, 409 liveness not accepted,
   * 404 no best shot. 410 comes before 409 (a declined session's best shot expires too), while
   * 404 BEST_SHOT_NOT_FOUND is defined for accepted sessions only (§1).
   */
  private async prerequisites(sessionId: string): Promise<{ result: SessionResult; bestShot: Buffer }> {
    const now = this.clock.now();
    const session = await this.store.get(sessionId, now);
    if (!session) throw sessionNotFound();
    const lookup = await this.store.getBestShot(sessionId, now);
    if (lookup.state === 'session-not-found') throw sessionNotFound();
    if (lookup.state === 'expired') throw bestShotExpired();
    if (!session.result?.livenessAccepted) {
      throw new AppError('LIVENESS_NOT_ACCEPTED', 'Face matching needs an accepted liveness check first.');
    }
    if (lookup.state === 'none') throw bestShotNotFound();
    return { result: session.result, bestShot: lookup.bytes };
  }

  private async view(sessionId: string): Promise<SessionView> {
    const now = this.clock.now();
    const session = await this.store.get(sessionId, now);
    if (!session) throw sessionNotFound();
    return toSessionView(session, now);
  }
}

function livenessCheckOf(result: SessionResult): LivenessCheck {
  const check = result.checks.find((c): c is LivenessCheck => c.type === 'liveness');
  if (!check) throw new Error('an accepted liveness result without a liveness check');
  return check;
}
