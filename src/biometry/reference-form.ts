import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { payloadTooLarge } from '../admission/body-limits';
import { AppError } from '../common/app-error';

export const REFERENCE_TYPES = ['document', 'selfie'] as const;
export type ReferenceType = (typeof REFERENCE_TYPES)[number];

export interface ReferenceForm {
  reference: Buffer;
  referenceType: ReferenceType;
}

/**
 * Reads the biometry form: exactly one file part `reference` (at most `maxImageBytes`) and at
 * most one text part `referenceType`. Anything else is a malformed form (400); a file over the
 * limit stops the upload with 413 the moment the limit is passed.
 */
export async function readReferenceForm(request: FastifyRequest, maxImageBytes: number): Promise<ReferenceForm> {
  try {
    return await readParts(request, maxImageBytes);
  } catch (error) {
    throw asFormError(error);
  }
}

/**
 * Our refusals and the multipart plugin's limit errors (which carry a stable `code`) stay as
 * they are; anything else the parser throws (a missing boundary, a truncated body) is the
 * client's malformed form, not a defect of ours.
 */
function asFormError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('FST_')) return error;
  return invalid('The form could not be read as multipart/form-data.');
}

async function readParts(request: FastifyRequest, maxImageBytes: number): Promise<ReferenceForm> {
  let reference: Buffer | null = null;
  let referenceType: string | null = null;
  const parts = request.parts({ limits: { fileSize: maxImageBytes, files: 2, fields: 2, parts: 4, fieldSize: 64, headerPairs: 32 } });
  for await (const part of parts) {
    if (part.type === 'file' && part.fieldname === 'reference' && reference === null) {
      reference = await readWithinLimit(part.file);
    } else if (part.type === 'field' && part.fieldname === 'referenceType' && referenceType === null) {
      referenceType = String(part.value);
    } else {
      throw invalid(`Unexpected form part "${part.fieldname.slice(0, 32)}": send one file part "reference" and optionally one text part "referenceType".`);
    }
  }
  if (reference === null) throw invalid('The form has no file part "reference".');
  const type = referenceType ?? 'document';
  if (!(REFERENCE_TYPES as readonly string[]).includes(type)) throw invalid('referenceType must be "document" or "selfie".');
  return { reference, referenceType: type as ReferenceType };
}

/**
 * The file part's bytes, or 413 as soon as busboy reports the size limit. Not `part.toBuffer()`:
 * it reports the limit only once the part has ended, i.e. after the client sent all of it (docs/api.md §3).
 */
function readWithinLimit(file: MultipartFile['file']): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const tooLarge = () => reject(payloadTooLarge('reference-image'));
    // Busboy may have hit the limit (and emitted 'limit') while the part waited in its buffer.
    if (file.truncated) return tooLarge();
    file.on('data', (chunk: Buffer) => (file.truncated ? tooLarge() : chunks.push(chunk)));
    file.once('limit', tooLarge);
    file.once('end', () => (file.truncated ? tooLarge() : resolve(Buffer.concat(chunks))));
    file.once('error', reject);
  });
}

function invalid(detail: string): AppError {
  return new AppError('VALIDATION_FAILED', detail);
}
