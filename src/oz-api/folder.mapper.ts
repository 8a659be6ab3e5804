import { extractBestShot } from './best-shot';
import type { OzAnalysis, OzFolder } from './oz-folder';

/**
 * Maps the snake_case wire folder into our OzFolder. Much of the response is [likely] or
 * [unknown] in Oz's documentation, so every value is checked before use and anything of the
 * wrong type becomes null (or is left out): the decision then refuses to accept it.
 * `analysis_id` / `analyse_id` are not needed and so not read.
 */
export function toOzFolder(wire: unknown): OzFolder {
  const folder = isRecord(wire) ? wire : {};
  const metaData = isRecord(folder.meta_data) ? folder.meta_data : {};
  return {
    folderId: asString(folder.folder_id),
    resolutionStatus: asString(folder.resolution_status),
    systemResolution: asString(folder.system_resolution),
    eventSessionId: asString(metaData.event_session_id),
    analyses: asArray(folder.analyses).filter(isRecord).map(toOzAnalysis),
    bestShot: extractBestShot(folder.analyses),
  };
}

/** Whether a 2xx body is plausibly a folder; anything but a JSON object is a bad response. */
export function isOzFolderShape(wire: unknown): boolean {
  return isRecord(wire);
}

function toOzAnalysis(wire: Record<string, unknown>): OzAnalysis {
  const resultsData = isRecord(wire.results_data) ? wire.results_data : {};
  return {
    // Oz answers in uppercase and requests use lowercase: one spelling spares every reader a
    // case-insensitive comparison. Resolutions, by contrast, are kept exactly as sent.
    type: typeof wire.type === 'string' ? wire.type.toUpperCase() : '',
    state: asString(wire.state),
    resolutionStatus: asString(wire.resolution_status),
    errorCode: asInteger(wire.error_code),
    errorMessage: asString(wire.error_message),
    confidenceSpoofing: confidencesOf(wire.results_media),
    minConfidence: asFiniteNumber(resultsData.min_confidence),
  };
}

function confidencesOf(resultsMedia: unknown): number[] {
  return asArray(resultsMedia).flatMap((media) => {
    const resultsData = isRecord(media) && isRecord(media.results_data) ? media.results_data : {};
    const confidence = asFiniteNumber(resultsData.confidence_spoofing);
    return confidence === null ? [] : [confidence];
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function asInteger(value: unknown): number | null {
  return Number.isInteger(value) ? (value as number) : null;
}

function asFiniteNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
