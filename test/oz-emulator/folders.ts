import { createHash, randomUUID } from 'node:crypto';
import { buildBestShot } from './images';

/**
 * Folder JSON as Oz API Instant answers it (HTTP 201). Besides the fields the contract names,
 * folders carry system fields a client must ignore (group_id, media_association_id, operator_*,
 * is_cleared, time_*, hashes), so that clients learn to ignore them.
 */

export type Json = Record<string, unknown>;

export interface FailedAnalysis {
  type: 'QUALITY' | 'BIOMETRY';
  analysisId: string;
  errorCode: number;
  errorMessage: string;
}

export const QUALITY_ERROR = { code: 202, message: 'Face not found in the captured media' };

export function folderShell(folderId: string, eventSessionId: string, now: string): Json {
  return {
    folder_id: folderId,
    group_id: randomUUID(),
    company_id: randomUUID(),
    time_created: now,
    time_updated: now,
    operator_status: null,
    operator_comment: null,
    is_cleared: false,
    meta_data: { event_session_id: eventSessionId },
  };
}

/** On FAILED, which analyses failed and how; on SUCCESS and DECLINED, the uninformative "[]". */
export function resolutionComment(failed: FailedAnalysis[]): string {
  return JSON.stringify(
    failed.map((f) => ({
      analysis_type: f.type,
      analysis_id: f.analysisId,
      error_code: f.errorCode,
      error_message: f.errorMessage,
    })),
  );
}

export function mediaItem(folderId: string, name: string, tags: string[], bytes: Uint8Array, mediaType: string, now: string): Json {
  return {
    media_id: randomUUID(),
    folder_id: folderId,
    media_type: mediaType,
    original_name: name,
    tags,
    info: { size: bytes.length },
    media_association_id: randomUUID(),
    hashes: { sha256: createHash('sha256').update(bytes).digest('hex') },
    time_created: now,
    time_updated: now,
  };
}

export type LivenessOutcome = 'live' | 'spoof' | 'analysis-error';

export interface LivenessFolderInput {
  outcome: LivenessOutcome;
  person: string;
  eventSessionId: string;
  media: Uint8Array;
}

export function livenessFolder(input: LivenessFolderInput): Json {
  const now = new Date().toISOString();
  const folderId = randomUUID();
  const analysisId = randomUUID();
  const media = mediaItem(folderId, 'video_selfie', ['video_selfie', 'video_selfie_blank', 'orientation_portrait'], input.media, 'VIDEO_FOLDER', now);
  const failed = input.outcome === 'analysis-error';
  const verdict = { live: 'SUCCESS', spoof: 'DECLINED', 'analysis-error': 'FAILED' }[input.outcome];
  const failures: FailedAnalysis[] = failed ? [{ type: 'QUALITY', analysisId, errorCode: QUALITY_ERROR.code, errorMessage: QUALITY_ERROR.message }] : [];
  const analysis: Json = {
    analysis_id: analysisId,
    folder_id: folderId,
    group_id: randomUUID(),
    type: 'QUALITY',
    state: failed ? 'FAILED' : 'FINISHED',
    resolution_status: verdict,
    resolution_operator: null,
    ...(failed && { error_code: QUALITY_ERROR.code, error_message: QUALITY_ERROR.message }),
    results_data: failed ? null : { confidence_spoofing: spoofingScore(input.outcome, input.person) },
    results_media: failed ? [] : [qualityResultMedia(input.outcome, input.person, media.media_id as string)],
    source_media: [media],
    time_created: now,
    time_updated: now,
  };
  return {
    ...folderShell(folderId, input.eventSessionId, now),
    resolution_status: failed ? 'FAILED' : 'FINISHED',
    system_resolution: verdict,
    resolution_comment: resolutionComment(failures),
    media: [media],
    analyses: [analysis],
  };
}

/** Deterministic per person: live 0.01-0.05, spoof 0.90-0.99. */
function spoofingScore(outcome: LivenessOutcome, person: string): number {
  const n = createHash('sha256').update(person).digest()[0];
  return outcome === 'spoof' ? 0.9 + (n % 10) / 100 : 0.01 + (n % 5) / 100;
}

function qualityResultMedia(outcome: LivenessOutcome, person: string, sourceMediaId: string): Json {
  const bestShot = buildBestShot(person);
  return {
    results_media_id: randomUUID(),
    source_media_id: sourceMediaId,
    media_association_id: randomUUID(),
    results_data: { confidence_spoofing: spoofingScore(outcome, person) },
    // The property holding the JPEG is deliberately unobvious and comes after other strings
    // (one of them valid base64): the contract says clients find the best shot by its magic bytes.
    output_images: [
      {
        image_type: 'best_shot',
        checksum: createHash('sha256').update(bestShot).digest('base64'),
        image_b64: bestShot.toString('base64'),
      },
    ],
  };
}
