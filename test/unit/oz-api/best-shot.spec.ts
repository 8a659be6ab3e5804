import { randomBytes } from 'node:crypto';
import { extractBestShot } from '../../../src/oz-api/best-shot';
import { LargeText, parseOzJson } from '../../../src/oz-api/oz-json';
import { JPEG_BYTES, PNG_BYTES, wireBiometryAnalysis, wireQualityAnalysis } from '../../fixtures/oz-folders';

const JPEG_BASE64 = JPEG_BYTES.toString('base64');

function qualityWithImages(...outputImages: unknown[][]): unknown[] {
  return [
    wireQualityAnalysis({
      results_media: outputImages.map((images) => ({ results_data: {}, output_images: images })),
    }),
  ];
}

describe('extractBestShot', () => {
  it('returns the decoded bytes exactly when the JPEG sits under an unknown property after a non-image string', () => {
    const analyses = qualityWithImages([{ media_type: 'IMAGE_FOLDER', some_new_name: JPEG_BASE64 }]);

    const shot = extractBestShot(analyses);

    expect(shot).toBeInstanceOf(Buffer);
    expect(shot?.equals(JPEG_BYTES)).toBe(true);
  });

  it('takes a data:image/jpeg;base64 URL and returns the bytes without the prefix', () => {
    const analyses = qualityWithImages([{ url: `data:image/jpeg;base64,${JPEG_BASE64}` }]);

    expect(extractBestShot(analyses)?.equals(JPEG_BYTES)).toBe(true);
  });

  it('returns null when the only image is a base64 PNG', () => {
    const analyses = qualityWithImages([{ original_url: PNG_BYTES.toString('base64') }]);

    expect(extractBestShot(analyses)).toBeNull();
  });

  it('skips a PNG and takes the JPEG in the next output image', () => {
    const analyses = qualityWithImages([{ original_url: PNG_BYTES.toString('base64') }, { original_url: JPEG_BASE64 }]);

    expect(extractBestShot(analyses)?.equals(JPEG_BYTES)).toBe(true);
  });

  it.each([
    ['characters outside the alphabet', '/9j/4AAQ!!!!'],
    ['padding in the middle', '/9j/4A=AQ'],
    ['padding that leaves the length ragged', '/9j/4AAQSkZJRg='],
    ['a length that no base64 has', '/9j/4AAQS'],
  ])('skips a string with %s even though a lenient decoder finds FF D8 FF', (_, text) => {
    expect(extractBestShot(qualityWithImages([{ original_url: text }]))).toBeNull();
  });

  it('takes base64 wrapped over several lines (MIME style), decoding the same bytes', () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]);
    const wrapped = (bytes.toString('base64').match(/.{1,76}/g) as string[]).join('\r\n') + '\n';

    expect(extractBestShot(qualityWithImages([{ original_url: wrapped }]))).toEqual(bytes);
  });

  it.each(['hello', 'data:image/jpeg;base64,hello', ''])('skips the plain text %j', (text) => {
    expect(extractBestShot(qualityWithImages([{ original_url: text }]))).toBeNull();
  });

  it('takes the valid JPEG after an invalid base64 string in the same output image', () => {
    const analyses = qualityWithImages([{ broken: '/9j/4AAQ!!!!', original_url: JPEG_BASE64 }]);

    expect(extractBestShot(analyses)?.equals(JPEG_BYTES)).toBe(true);
  });

  it('accepts unpadded and URL-safe base64', () => {
    const thirteenBytes = Buffer.concat([JPEG_BYTES, Buffer.from([0x7f])]);
    const unpadded = thirteenBytes.toString('base64').replace(/=+$/, '');

    expect(extractBestShot(qualityWithImages([{ a: unpadded }]))?.equals(thirteenBytes)).toBe(true);
    expect(extractBestShot(qualityWithImages([{ a: JPEG_BYTES.toString('base64url') }]))?.equals(JPEG_BYTES)).toBe(true);
  });

  it('finds the JPEG in the second results_media item when the first has none', () => {
    const analyses = qualityWithImages([{ original_url: PNG_BYTES.toString('base64') }], [{ original_url: JPEG_BASE64 }]);

    expect(extractBestShot(analyses)?.equals(JPEG_BYTES)).toBe(true);
  });

  it('returns the first JPEG in order when there are several', () => {
    const other = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x01, 0x02]);
    const analyses = qualityWithImages([{ original_url: other.toString('base64') }], [{ original_url: JPEG_BASE64 }]);

    expect(extractBestShot(analyses)?.equals(other)).toBe(true);
  });

  it('finds the JPEG when the analysis type is lowercase', () => {
    const [quality] = qualityWithImages([{ original_url: JPEG_BASE64 }]);

    expect(extractBestShot([{ ...(quality as object), type: 'quality' }])?.equals(JPEG_BYTES)).toBe(true);
  });

  it('returns null when there is no QUALITY analysis, even if another analysis carries a JPEG', () => {
    const biometry = wireBiometryAnalysis({ results_media: [{ output_images: [{ original_url: JPEG_BASE64 }] }] });

    expect(extractBestShot([biometry])).toBeNull();
  });

  it('looks past a QUALITY analysis without images to a later one', () => {
    const empty = wireQualityAnalysis({ results_media: [] });
    const [withShot] = qualityWithImages([{ original_url: JPEG_BASE64 }]);

    expect(extractBestShot([empty, withShot])?.equals(JPEG_BYTES)).toBe(true);
  });

  it.each([
    ['analyses is not an array', { type: 'QUALITY' }],
    ['analyses is null', null],
    ['entries are not objects', [null, 1, 'QUALITY', ['QUALITY']]],
    ['results_media is not an array', [{ type: 'QUALITY', results_media: { output_images: [JPEG_BASE64] } }]],
    ['output_images is not an array', [{ type: 'QUALITY', results_media: [{ output_images: JPEG_BASE64 }] }]],
    ['image values are not strings', [{ type: 'QUALITY', results_media: [{ output_images: [{ a: 1, b: null, c: [JPEG_BASE64] }] }] }]],
  ])('returns null when %s', (_, analyses) => {
    expect(extractBestShot(analyses)).toBeNull();
  });
});

/** A best shot of a real size: its base64 (about 270 KB) comes out of parseOzJson as a LargeText. */
describe('extractBestShot of a parsed Oz answer with images of a real size', () => {
  const bigJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(200 * 1024), Buffer.from([0xff, 0xd9])]);
  const bigPng = Buffer.concat([PNG_BYTES, randomBytes(120 * 1024)]);
  const parsedAnalyses = (...outputImages: unknown[][]) =>
    (parseOzJson(Buffer.from(JSON.stringify({ analyses: qualityWithImages(...outputImages) }))) as { analyses: unknown }).analyses;

  it('decodes the JPEG from the bytes of the answer', () => {
    const analyses = parsedAnalyses([{ image_b64: bigJpeg.toString('base64') }]);

    const image = (analyses as { results_media: { output_images: Record<string, unknown>[] }[] }[])[0].results_media[0].output_images[0];
    expect(image.image_b64).toBeInstanceOf(LargeText);
    expect(extractBestShot(analyses)?.equals(bigJpeg)).toBe(true);
  });

  it('skips a large PNG and takes the large JPEG after it, in a data URL', () => {
    const analyses = parsedAnalyses([{ mask: bigPng.toString('base64'), url: `data:image/jpeg;base64,${bigJpeg.toString('base64')}` }]);

    expect(extractBestShot(analyses)?.equals(bigJpeg)).toBe(true);
  });

  it.each([
    ['unpadded', (jpeg: Buffer) => jpeg.toString('base64').replace(/=+$/, '')],
    ['URL-safe', (jpeg: Buffer) => jpeg.toString('base64url')],
    ['wrapped with spaces', (jpeg: Buffer) => (jpeg.toString('base64').match(/.{1,76}/g) as string[]).join(' ')],
  ])('decodes %s base64 to the same bytes', (_, encode) => {
    // 204,806 bytes: a length that padded base64 ends with "=", so that "unpadded" drops something.
    expect(bigJpeg.toString('base64').endsWith('=')).toBe(true);

    expect(extractBestShot(parsedAnalyses([{ a: encode(bigJpeg) }]))?.equals(bigJpeg)).toBe(true);
  });

  it('skips a large string that only starts like a JPEG, and takes the next image', () => {
    const broken = `${bigJpeg.toString('base64').slice(0, 100_000)}!!!!${bigJpeg.toString('base64').slice(100_000)}`;

    expect(extractBestShot(parsedAnalyses([{ broken }], [{ a: JPEG_BASE64 }]))?.equals(JPEG_BYTES)).toBe(true);
    expect(extractBestShot(parsedAnalyses([{ broken }]))).toBeNull();
  });
});
