import fc from 'fast-check';
import { JPEG_BYTES, PNG_BYTES } from '../../fixtures/oz-folders';
import { imageTypeOf } from '../../../src/biometry/image-type';

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((byte, i) => bytes[i] === byte);

describe('imageTypeOf', () => {
  it('recognises a JPEG by its magic bytes', () => {
    expect(imageTypeOf(JPEG_BYTES)).toBe('image/jpeg');
  });

  it('recognises a PNG by its magic bytes', () => {
    expect(imageTypeOf(PNG_BYTES)).toBe('image/png');
  });

  it('recognises either type whatever follows the magic bytes, including nothing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (rest) => {
        expect(imageTypeOf(Buffer.from([...JPEG_MAGIC, ...rest]))).toBe('image/jpeg');
        expect(imageTypeOf(Buffer.from([...PNG_MAGIC, ...rest]))).toBe('image/png');
      }),
    );
  });

  it.each([
    ['an empty buffer', Buffer.alloc(0)],
    ['a truncated JPEG magic', Buffer.from([0xff, 0xd8])],
    ['a truncated PNG magic', Buffer.from(PNG_MAGIC.slice(0, 7))],
    ['a GIF', Buffer.from('GIF89a')],
    ['a PDF', Buffer.from('%PDF-1.7')],
    ['a WebP', Buffer.from('RIFF\x00\x00\x00\x00WEBP', 'latin1')],
    ['a JPEG magic that is not at the start', Buffer.from([0x00, ...JPEG_MAGIC])],
  ])('refuses %s', (_, bytes) => {
    expect(imageTypeOf(bytes)).toBeNull();
  });

  it('refuses any bytes that start with neither magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        fc.pre(!startsWith(bytes, JPEG_MAGIC) && !startsWith(bytes, PNG_MAGIC));
        expect(imageTypeOf(Buffer.from(bytes))).toBeNull();
      }),
    );
  });
});
