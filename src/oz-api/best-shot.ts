/**
 * Finds the liveness best shot in the wire `analyses` of an Oz folder. Oz documents it as a
 * base64 JPEG inside an `output_images[]` item of the QUALITY analysis, but not the property
 * that holds it, so every string property is tried in order and the first JPEG wins.
 * The image is personal data: nothing here logs, and the bytes are returned exactly as decoded.
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Responses use uppercase types and requests lowercase; compare without case to be safe.
function isQualityAnalysis(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && typeof value.type === 'string' && value.type.toUpperCase() === 'QUALITY';
}

function findInResultsMedia(resultsMedia: unknown): Buffer | null {
  if (!Array.isArray(resultsMedia)) return null;
  for (const media of resultsMedia) {
    if (!isRecord(media) || !Array.isArray(media.output_images)) continue;
    for (const image of media.output_images) {
      const found = findInOutputImage(image);
      if (found) return found;
    }
  }
  return null;
}

// The item is documented as an object; a bare string item is taken too, since it costs nothing.
function findInOutputImage(image: unknown): Buffer | null {
  const candidates = typeof image === 'string' ? [image] : isRecord(image) ? Object.values(image) : [];
  for (const value of candidates) {
    if (typeof value !== 'string') continue;
    const jpeg = decodeJpeg(value);
    if (jpeg) return jpeg;
  }
  return null;
}

function decodeJpeg(value: string): Buffer | null {
  const dataUrl = JPEG_DATA_URL.exec(value);
  const payload = dataUrl ? value.slice(dataUrl[0].length) : value;
  // Four characters carry the first three bytes: other large strings (a PNG, a mask) are
  // skipped without scanning or decoding a few hundred kilobytes.
  const head = Buffer.from(payload.slice(0, 16).replace(/\s+/g, '').slice(0, 4), 'base64');
  if (head.length < 3 || !head.subarray(0, 3).equals(JPEG_MAGIC)) return null;
  // MIME-style encoders wrap base64 at 76 characters; the line breaks are not data. Oz's JSON
  // strings normally have none, so the 300 KB copy without them is made only when needed.
  return decodeStrict(payload) ?? (/\s/.test(payload) ? decodeStrict(payload.replace(/\s+/g, '')) : null);
}

/**
 * Buffer.from(s, 'base64') silently skips characters outside the alphabet, so text that is not
 * base64 at all could still decode to a JPEG marker. Every skipped character shortens the
 * result, so strict means: the decoded length is exactly what the text's length promises.
 * Padding is optional (some encoders drop it), but when present the length must be whole.
 * One native decode, no regular expression or copy over a few hundred kilobytes.
 */
function decodeStrict(payload: string): Buffer | null {
  const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
  if (padding > 0 && payload.length % 4 !== 0) return null;
  const dataLength = payload.length - padding;
  if (dataLength % 4 === 1) return null;
  const bytes = Buffer.from(payload, 'base64');
  return bytes.length === Math.floor((dataLength * 3) / 4) ? bytes : null;
}
