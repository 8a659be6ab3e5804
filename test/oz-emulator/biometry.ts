import { randomUUID } from 'node:crypto';
import { invalidRequestData, OzHttpError } from './errors';
import { FailedAnalysis, folderShell, Json, mediaItem, resolutionComment } from './folders';
import { isJpeg, isPng, personOfImage } from './images';

/**
 * Face matching over multipart/form-data. Violations answer 400 "Invalid request data" with
 * general codes: 3 structure (no/bad payload, unparsable multipart), 4 value (tags vs parts,
 * fewer than two images, unknown analysis), 5 type (a part that is not a JPEG or PNG image).
 * `details.reason` says which rule failed (Oz's own wording is unknown).
 */

export const BIOMETRY_ERROR = { code: 301, message: 'Biometry analysis failed: face template not extracted' };
const REVIEW_PREFIX = 'review-';
/**
 * The `operator` identity: a person Oz is unsure of. A live capture of this person is accepted, and
 * a face match of it against its own reference answers OPERATOR_REQUIRED, so the service sends the
 * session to human review (docs/api.md §15). The demo page's `operator` scenario films this person.
 */
export const OPERATOR_PERSON = `${REVIEW_PREFIX}operator`;
const FAILURE_PREFIX = 'biofail-';

interface ImagePart {
  name: string;
  tags: string[];
  bytes: Buffer;
}

const reject = (code: number, reason: string): OzHttpError => invalidRequestData(code, { reason });

export async function processBiometry(body: Buffer, contentType: string): Promise<Json> {
  const form = await parseForm(body, contentType);
  const payload = await readPayload(form.get('payload'));
  const tags = payload['media:tags'];
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) throw reject(3, 'payload has no "media:tags" object');
  checkAnalyses(payload.analyses);
  const images = await collectImages(form, tags as Record<string, unknown>);
  const metaData = typeof payload['folder:meta_data'] === 'object' && payload['folder:meta_data'] !== null ? (payload['folder:meta_data'] as Json) : {};
  return biometryFolder(images, metaData);
}

async function parseForm(body: Buffer, contentType: string): Promise<FormData> {
  try {
    return await new Request('http://oz-emulator.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    throw reject(3, 'body is not valid multipart/form-data');
  }
}

async function readPayload(part: ReturnType<FormData['get']>): Promise<Json> {
  if (part === null) throw reject(3, 'no "payload" part');
  const text = typeof part === 'string' ? part : await part.text();
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Json;
  } catch {
    // answered below
  }
  throw reject(3, '"payload" is not a JSON object');
}

function checkAnalyses(analyses: unknown): void {
  if (!Array.isArray(analyses) || analyses.length === 0) throw reject(3, 'payload has no "analyses" array');
  for (const analysis of analyses) {
    const type = (analysis as Json | null)?.type;
    if (typeof type !== 'string' || type.toLowerCase() !== 'biometry') {
      throw reject(4, `unsupported analysis type ${JSON.stringify(type)}: this route runs "biometry" only`);
    }
  }
}

async function collectImages(form: FormData, tags: Record<string, unknown>): Promise<ImagePart[]> {
  const images: ImagePart[] = [];
  for (const [name, value] of form) {
    if (name === 'payload') continue;
    if (typeof value === 'string') {
      if (name in tags) throw reject(4, `part "${name}" is tagged but is not a file`);
      continue;
    }
    if (value.name !== name) throw reject(4, `part "${name}" has filename "${value.name}": they must be equal`);
    const partTags = tags[name];
    if (partTags === undefined) throw reject(4, `part "${name}" has no entry in "media:tags"`);
    if (!Array.isArray(partTags) || !partTags.every((tag) => typeof tag === 'string')) {
      throw reject(5, `"media:tags.${name}" must be an array of strings`);
    }
    const bytes = Buffer.from(await value.arrayBuffer());
    if (!isJpeg(bytes) && !isPng(bytes)) throw reject(5, `part "${name}" is not a JPEG or PNG image`);
    images.push({ name, tags: partTags, bytes });
  }
  const missing = Object.keys(tags).find((key) => !images.some((image) => image.name === key));
  if (missing !== undefined) throw reject(4, `"media:tags" key "${missing}" has no file part`);
  if (images.length < 2) throw reject(4, 'biometry needs at least two images');
  return images;
}

type Verdict = { state: 'FINISHED' | 'FAILED'; resolution: 'SUCCESS' | 'DECLINED' | 'OPERATOR_REQUIRED' | 'FAILED'; min: number; max: number };

/** Identity comes from the builder's JPEG comment: one shared person matches, anything else does not. */
function compare(images: ImagePart[]): Verdict {
  const persons = images.map((image) => personOfImage(image.bytes));
  if (persons.some((person) => person?.startsWith(FAILURE_PREFIX))) return { state: 'FAILED', resolution: 'FAILED', min: 0, max: 0 };
  const same = persons[0] !== null && persons.every((person) => person === persons[0]);
  if (!same) return { state: 'FINISHED', resolution: 'DECLINED', min: 0.12, max: 0.2 };
  if (persons[0]!.startsWith(REVIEW_PREFIX)) return { state: 'FINISHED', resolution: 'OPERATOR_REQUIRED', min: 0.62, max: 0.7 };
  return { state: 'FINISHED', resolution: 'SUCCESS', min: 0.97, max: 0.99 };
}

function biometryFolder(images: ImagePart[], metaData: Json): Json {
  const now = new Date().toISOString();
  const folderId = randomUUID();
  const analysisId = randomUUID();
  const media = images.map((image) => mediaItem(folderId, image.name, image.tags, image.bytes, 'IMAGE_FOLDER', now));
  const verdict = compare(images);
  const failed = verdict.state === 'FAILED';
  const failures: FailedAnalysis[] = failed ? [{ type: 'BIOMETRY', analysisId, errorCode: BIOMETRY_ERROR.code, errorMessage: BIOMETRY_ERROR.message }] : [];
  const analysis: Json = {
    analysis_id: analysisId,
    folder_id: folderId,
    group_id: randomUUID(),
    type: 'BIOMETRY',
    state: verdict.state,
    resolution_status: verdict.resolution,
    resolution_operator: null,
    ...(failed && { error_code: BIOMETRY_ERROR.code, error_message: BIOMETRY_ERROR.message }),
    results_data: failed ? null : { min_confidence: verdict.min, max_confidence: verdict.max },
    results_media: failed ? [] : [{ results_media_id: randomUUID(), results_data: { confidence: verdict.min }, output_images: [] }],
    source_media: media,
    time_created: now,
    time_updated: now,
  };
  const shell = folderShell(folderId, typeof metaData.event_session_id === 'string' ? metaData.event_session_id : randomUUID(), now);
  return {
    ...shell,
    meta_data: { ...metaData, ...(shell.meta_data as Json) },
    resolution_status: failed ? 'FAILED' : 'FINISHED',
    system_resolution: verdict.resolution,
    resolution_comment: resolutionComment(failures),
    media,
    analyses: [analysis],
  };
}
