import { crc32 } from 'node:zlib';
import { imageTypeOf } from './image-type';

export interface ImageHeader {
  type: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/**
 * The dimensions a reference declares, read from its header without decoding a pixel
 * (docs/api.md §16), or null when the header does not decode. Written by hand rather than with an
 * image-size library because the contract's rules are exact and this reader checks precisely
 * them: a JPEG needs a start-of-frame before its first scan (a marker walk as in ITU-T T.81
 * B.1.1), a PNG an IHDR that is the first chunk, 13 bytes long, with legal fields and a matching
 * CRC (PNG specification 11.2.2).
 */
export function readImageHeader(bytes: Buffer): ImageHeader | null {
  const type = imageTypeOf(bytes);
  if (type === 'image/png') return pngHeader(bytes);
  if (type === 'image/jpeg') return jpegHeader(bytes);
  return null;
}

/** SOF0–SOF15, which carry the frame's dimensions; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames. */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
const START_OF_SCAN = 0xda;
const END_OF_IMAGE = 0xd9;
/** Markers without a length: TEM and RST0–RST7. */
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);

function jpegHeader(bytes: Buffer): ImageHeader | null {
  let offset = 2;
  while (offset + 1 < bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1];
    // 0xFF may be repeated as fill before a marker.
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === START_OF_SCAN || marker === END_OF_IMAGE) return null;
    if (isStandalone(marker)) {
      offset += 2;
      continue;
    }
    if (offset + 4 > bytes.length) return null;
    const length = bytes.readUInt16BE(offset + 2);
    if (length < 2 || offset + 2 + length > bytes.length) return null;
    if (isStartOfFrame(marker)) return frameHeader(bytes.subarray(offset + 4, offset + 2 + length));
    offset += 2 + length;
  }
  return null;
}

/** The frame header after its length: precision, lines, samples per line, components (3 bytes each). */
function frameHeader(frame: Buffer): ImageHeader | null {
  if (frame.length < 6) return null;
  const height = frame.readUInt16BE(1);
  const width = frame.readUInt16BE(3);
  const components = frame[5];
  // A height of 0 defers it to a DNL marker after the scan: the pixels could not be bounded before Oz.
  if (width === 0 || height === 0 || components === 0 || frame.length !== 6 + 3 * components) return null;
  return { type: 'image/jpeg', width, height };
}

const PNG_SIGNATURE_LENGTH = 8;
const IHDR_LENGTH = 13;
/** Bit depths allowed for each colour type (PNG specification, table 11.1). */
const BIT_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const MAX_DIMENSION = 2 ** 31 - 1;

function pngHeader(bytes: Buffer): ImageHeader | null {
  const start = PNG_SIGNATURE_LENGTH;
  if (bytes.length < start + 8 + IHDR_LENGTH + 4) return null;
  if (bytes.readUInt32BE(start) !== IHDR_LENGTH || bytes.toString('latin1', start + 4, start + 8) !== 'IHDR') return null;
  const data = bytes.subarray(start + 8, start + 8 + IHDR_LENGTH);
  if (crc32(bytes.subarray(start + 4, start + 8 + IHDR_LENGTH)) !== bytes.readUInt32BE(start + 8 + IHDR_LENGTH)) return null;
  const width = data.readUInt32BE(0);
  const height = data.readUInt32BE(4);
  const [bitDepth, colourType, compression, filter, interlace] = data.subarray(8);
  if (width === 0 || height === 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) return null;
  if (!BIT_DEPTHS[colourType]?.includes(bitDepth) || compression !== 0 || filter !== 0 || interlace > 1) return null;
  return { type: 'image/png', width, height };
}
