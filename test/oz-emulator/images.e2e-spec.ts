import { buildBestShot, buildReferenceImage, isJpeg, personOfImage } from './index';

/** The JPEG markers in order, up to and including SOS; the scan data then runs to EOI. */
function markersOf(jpeg: Buffer): number[] {
  const markers: number[] = [];
  let offset = 2;
  while (offset < jpeg.length && jpeg[offset] === 0xff) {
    const marker = jpeg[offset + 1];
    markers.push(marker);
    if (marker === 0xda) break;
    offset += 2 + jpeg.readUInt16BE(offset + 2);
  }
  return markers;
}

/** jpeg-js, when installed, proves the images decode; the project does not depend on it. */
function optionalDecoder(): { decode(data: Buffer, opts: object): { width: number; height: number } } | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when present, by design
    return require('jpeg-js');
  } catch {
    return null;
  }
}

describe('Oz emulator: builder images', () => {
  it('builds a baseline JPEG: SOI, JFIF, comment, tables, frame, scan, EOI', () => {
    const jpeg = buildReferenceImage('frank-2');

    expect(isJpeg(jpeg)).toBe(true);
    expect(markersOf(jpeg)).toEqual([0xe0, 0xfe, 0xdb, 0xc0, 0xc4, 0xc4, 0xda]);
    expect(jpeg.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
  });

  it('reads back the person from reference images and best shots alike', () => {
    expect(personOfImage(buildReferenceImage('frank-2'))).toBe('frank-2');
    expect(personOfImage(buildBestShot('frank-2'))).toBe('frank-2');
  });

  it('finds no person in a JPEG the builder did not make, nor in non-JPEG bytes', () => {
    expect(personOfImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9]))).toBeNull();
    expect(personOfImage(Buffer.from('oz-emulator person=frank-2;'))).toBeNull();
  });

  it('draws different pixels for different people', () => {
    expect(buildReferenceImage('frank-2').equals(buildReferenceImage('gina-4'))).toBe(false);
  });

  it('refuses a person id that could not travel in a JPEG comment', () => {
    expect(() => buildReferenceImage('semi;colon')).toThrow('invalid person id');
    expect(() => buildReferenceImage('')).toThrow('invalid person id');
  });

  const decoder = optionalDecoder();
  (decoder ? it : it.skip)('decodes to a 64x64 image with a real JPEG decoder (jpeg-js, when installed)', () => {
    const image = decoder!.decode(buildBestShot('frank-2'), { useTArray: true });

    expect([image.width, image.height]).toEqual([64, 64]);
  });
});
