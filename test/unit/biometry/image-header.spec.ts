import fc from 'fast-check';
import { readImageHeader } from '../../../src/biometry/image-header';
import { buildReferenceImage } from '../../oz-emulator';
import { pngHead } from '../../fixtures/reference-images';

const segment = (marker: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
const sof0 = (width: number, height: number) => segment(0xc0, Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]));
const SOI = Buffer.from([0xff, 0xd8]);
const SOS = segment(0xda, Buffer.from([1, 1, 0, 0, 63, 0]));

describe('readImageHeader', () => {
  it('reads the dimensions of a real JPEG from its start-of-frame', () => {
    expect(readImageHeader(buildReferenceImage('header-person'))).toEqual({ type: 'image/jpeg', width: 64, height: 64 });
  });

  it('reads the dimensions of a PNG from its IHDR', () => {
    expect(readImageHeader(pngHead(50_000, 50_000))).toEqual({ type: 'image/png', width: 50_000, height: 50_000 });
  });

  it('reads a JPEG whose frame follows other segments and fill bytes', () => {
    const app0 = segment(0xe0, Buffer.from('JFIF\0', 'latin1'));
    expect(readImageHeader(Buffer.concat([SOI, app0, Buffer.from([0xff]), sof0(640, 480), SOS]))).toEqual({ type: 'image/jpeg', width: 640, height: 480 });
  });

  it.each([
    ['the 3-byte "JPEG" FF D8 FF', Buffer.from([0xff, 0xd8, 0xff])],
    ['a JPEG whose scan comes before any frame', Buffer.concat([SOI, SOS, sof0(10, 10)])],
    ['a JPEG that ends before a frame', Buffer.concat([SOI, Buffer.from([0xff, 0xd9])])],
    ['a JPEG frame of height 0 (deferred to after the scan)', Buffer.concat([SOI, sof0(10, 0), SOS])],
    ['a JPEG frame cut short', Buffer.concat([SOI, sof0(10, 10)]).subarray(0, 12)],
    ['a JPEG segment whose length runs past the end', Buffer.concat([SOI, Buffer.from([0xff, 0xe0, 0xff, 0xff, 0])])],
    ['a PNG signature alone', pngHead(1, 1).subarray(0, 8)],
    ['a PNG whose IHDR CRC is wrong', pngHead(1, 1, { crc: 1 })],
    ['a PNG of width 0', pngHead(0, 1)],
    ['a PNG with an illegal bit depth', pngHead(1, 1, { bitDepth: 3 })],
    ['a PNG with an unknown colour type', pngHead(1, 1, { colourType: 5 })],
    ['a PNG wider than 2^31 - 1', pngHead(2 ** 31, 1)],
    ['neither format', Buffer.from('GIF89a')],
  ])('does not decode %s', (_, bytes) => {
    expect(readImageHeader(bytes)).toBeNull();
  });

  it('never throws, whatever bytes follow a JPEG or PNG signature', () => {
    fc.assert(
      fc.property(fc.constantFrom(Buffer.from([0xff, 0xd8, 0xff]), pngHead(1, 1).subarray(0, 8)), fc.uint8Array({ maxLength: 64 }), (magic, rest) => {
        const header = readImageHeader(Buffer.concat([magic, rest]));
        expect(header === null || (header.width > 0 && header.height > 0)).toBe(true);
      }),
    );
  });
});
