import { extractBestShot } from './best-shot';
import type { OzAnalysis, OzFolder } from './oz-folder';
import { isJsonObject, textOf } from './oz-json';

/**
 * Maps the snake_case wire folder into our OzFolder. Much of the response is [likely] or
 * [unknown] in Oz's documentation, so every value is checked before use and anything of the
 * wrong type becomes null (or is left out): the decision then refuses to accept it.
 * `analysis_id` / `analyse_id` are not needed and so not read. The wire folder is parsed by
 * parseOzJson: a string value may be a LargeText, read as the string it is.
 */
export function toOzFolder(wire: unknown): OzFolder {
  const folder = isJsonObject(wire) ? wire : {};
  const metaData = isJsonObject(folder.meta_data) ? folder.meta_data : {};
  return {
    folderId: textOf(folder.folder_id),
    resolutionStatus: textOf(folder.resolution_status),
    systemResolution: textOf(folder.system_resolution),
    eventSessionId: textOf(metaData.event_session_id),
    analyses: asArray(folder.analyses).filter(isJsonObject).map(toOzAnalysis),
    bestShot: extractBestShot(folder.analyses),
  };
}

/** Whether a 2xx body is plausibly a folder; anything but a JSON object is a bad response. */
export function isOzFolderShape(wire: unknown): boolean {
  return isJsonObject(wire);
}

function toOzAnalysis(wire: Record<string, unknown>): OzAnalysis {
  const resultsData = isJsonObject(wire.results_data) ? wire.results_data : {};
  return {
    // Oz answers in uppercase and requests use lowercase: one spelling spares every reader a
    // case-insensitive comparison. Resolutions, by contrast, are kept exactly as sent.
    type: textOf(wire.type)?.toUpperCase() ?? '',
    state: textOf(wire.state),
    resolutionStatus: textOf(wire.resolution_status),
    errorCode: asInteger(wire.error_code),
    errorMessage: textOf(wire.error_message),
    confidenceSpoofing: confidencesOf(wire.results_media),
    minConfidence: asFiniteNumber(resultsData.min_confidence),
  };
}

function confidencesOf(resultsMedia: unknown): number[] {
  return asArray(resultsMedia).flatMap((media) => {
    const resultsData = isJsonObject(media) && isJsonObject(media.results_data) ? media.results_data : {};
    const confidence = asFiniteNumber(resultsData.confidence_spoofing);
    return confidence === null ? [] : [confidence];
  });
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asInteger(value: unknown): number | null {
  return Number.isInteger(value) ? (value as number) : null;
}

function asFiniteNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
