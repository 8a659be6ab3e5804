import type { BestShotLookup, SessionFailure, SessionRecord, SessionResult, UploadClaim } from './session.types';

/**
 * Everything replicas must share about sessions. Operations that must be atomic (claiming a
 * session for an upload) are single methods, so that a Redis implementation can make them one
 * script and two simultaneous uploads can never both reach Oz.
 */
export abstract class SessionStore {
  /** False when the store is full of sessions it must keep: the caller refuses the new one. */
  abstract create(session: SessionRecord): Promise<boolean>;
  /** The session unless unknown or purged. */
  abstract get(id: string, now: Date): Promise<SessionRecord | null>;
  /** Open → processing for this container, or why not (in contract §3 precedence: 404, 410, 409). */
  abstract claimForUpload(id: string, containerSha256: string, now: Date): Promise<UploadClaim>;
  /** Processing → open again, after a failure that leaves the session usable. */
  abstract release(id: string): Promise<void>;
  /** Processing → completed; the best shot is held BEST_SHOT_TTL_SECONDS after `result.completedAt`. */
  abstract complete(id: string, result: SessionResult, bestShot: Buffer | null): Promise<void>;
  /** Processing → failed for good. */
  abstract fail(id: string, failure: SessionFailure): Promise<void>;
  /** Replaces decision, reason and checks after a biometry run. */
  abstract updateResult(id: string, result: SessionResult): Promise<void>;
  abstract getBestShot(id: string, now: Date): Promise<BestShotLookup>;
  /** For readiness: does the store answer? */
  abstract isHealthy(): Promise<boolean>;
}
