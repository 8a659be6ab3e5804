import { isJsonObject, isText, LargeText, textOf } from './oz-json';

/**
 * Finds the liveness best shot in the wire `analyses` of an Oz folder. Oz documents it as a
 * base64 JPEG inside an `output_images[]` item of the QUALITY analysis, but not the property
 * that holds it, so every string property is tried in order and the first JPEG wins.
 * The image is personal data: nothing here logs, and the bytes are returned exactly as decoded.
 * A long string comes as a LargeText (oz-json.ts) and is decoded from its bytes.
 */
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const JPEG_DATA_URL = /^data:image\/jpeg;base64,/i;

export function extractBestShot(analyses: unknown): Buffer | null {
  if (!Array.isArray(analyses)) return null;
  for (const analysis of analyses) {
    if (!isQualityAnalysis(analysis)) continue;
    const found = findInResultsMedia(analysis.results_media);
    if (found) return found;
  }
  return null;
}

// Responses use uppercase types and requests lowercase; compare without case to be safe.
function isQualityAnalysis(value: unknown): value is Record<string, unknown> {
  return isJsonObject(value) && textOf(value.type)?.toUpperCase() === 'QUALITY';
}

function findInResultsMedia(resultsMedia: unknown): Buffer | null {
  if (!Array.isArray(resultsMedia)) return null;
  for (const media of resultsMedia) {
    if (!isJsonObject(media) || !Array.isArray(media.output_images)) continue;
    for (const image of media.output_images) {
      const found = findInOutputImage(image);
      if (found) return found;
    }
  }
  return null;
}

// The item is documented as an object; a bare string item is taken too, since it costs nothing.
function findInOutputImage(image: unknown): Buffer | null {
  const candidates = isText(image) ? [image] : isJsonObject(image) ? Object.values(image) : [];
  for (const value of candidates) {
    if (!isText(value)) continue;
    const jpeg = decodeJpeg(value);
    if (jpeg) return jpeg;
  }
  return null;
}

function decodeJpeg(value: string | LargeText): Buffer | null {
  // The prefix is 23 characters: a short head is enough to find it.
  const dataUrl = JPEG_DATA_URL.exec(value.slice(0, 64));
  const start = dataUrl ? dataUrl[0].length : 0;
  // Four characters carry the first three bytes: other large strings (a PNG, a mask) are
  // skipped without scanning or decoding a few hundred kilobytes.
  const head = Buffer.from(
    value
      .slice(start, start + 16)
      .replace(/\s+/g, '')
      .slice(0, 4),
    'base64',
  );
  if (head.length < 3 || !head.subarray(0, 3).equals(JPEG_MAGIC)) return null;
  const strict = decodeStrict(value, start);
  if (strict) return strict;
  // MIME-style encoders wrap base64 at 76 characters; the line breaks are not data. Oz's JSON
  // strings normally have none, so the 300 KB copy without them is made only when needed.
  const payload = value.toString().slice(start);
  return /\s/.test(payload) ? decodeStrict(payload.replace(/\s+/g, ''), 0) : null;
}

/**
 * Buffer.from(s, 'base64') silently skips characters outside the alphabet, so text that is not
 * base64 at all could still decode to a JPEG marker. Every skipped character shortens the
 * result, so strict means: the decoded length is exactly what the text's length promises.
 * Padding is optional (some encoders drop it), but when present the length must be whole.
 * A native decode (in pieces for a LargeText), no regular expression or copy over a few hundred
 * kilobytes.
 */
function decodeStrict(text: string | LargeText, start: number): Buffer | null {
  const tail = text.slice(-2);
  const padding = tail === '==' ? 2 : tail.endsWith('=') ? 1 : 0;
  const length = text.length - start;
  if (padding > 0 && length % 4 !== 0) return null;
  const dataLength = length - padding;
  if (dataLength % 4 === 1) return null;
  const bytes = typeof text === 'string' ? Buffer.from(text.slice(start), 'base64') : text.decodeBase64From(start);
  return bytes.length === Math.floor((dataLength * 3) / 4) ? bytes : null;
}
