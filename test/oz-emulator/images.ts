import { createHash } from 'node:crypto';

/**
 * Real, decodable baseline JPEGs that carry a person identity in a COM segment.
 *
 * The emulator cannot compare faces, so identity travels inside the image: the builder writes
 * `oz-emulator person=<id>; kind=<kind>` in a JPEG comment, and the biometry route reads it back.
 * The pixels are an 8x8-block "identicon" drawn from a hash of the person id, so different people
 * also look different when a developer opens the file.
 */

const IDENTITY_PREFIX = 'oz-emulator person=';
const SIDE_BLOCKS = 8; // 64 x 64 pixels
const PERSON_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export type ImageKind = 'best-shot' | 'reference';

export function isValidPersonId(person: string): boolean {
  return PERSON_ID.test(person);
}

export function isJpeg(buf: Uint8Array): boolean {
  return buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff;
}

export function isPng(buf: Uint8Array): boolean {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return buf.length >= 8 && signature.every((byte, i) => buf[i] === byte);
}

export function buildReferenceImage(person: string): Buffer {
  return buildPersonJpeg(person, 'reference');
}

export function buildBestShot(person: string): Buffer {
  return buildPersonJpeg(person, 'best-shot');
}

/** The person id a builder-made JPEG carries, or null for any other image. */
export function personOfImage(buf: Uint8Array): string | null {
  if (!isJpeg(buf)) return null;
  let offset = 2;
  while (offset + 4 <= buf.length && buf[offset] === 0xff) {
    const marker = buf[offset + 1];
    if (marker === 0xda || marker === 0xd9) return null; // scan or end reached: no identity
    const length = (buf[offset + 2] << 8) | buf[offset + 3];
    if (marker === 0xfe) {
      const text = Buffer.from(buf.subarray(offset + 4, offset + 2 + length)).toString('latin1');
      const match = /^oz-emulator person=([^;]+);/.exec(text);
      if (match && isValidPersonId(match[1])) return match[1];
    }
    offset += 2 + length;
  }
  return null;
}

function buildPersonJpeg(person: string, kind: ImageKind): Buffer {
  if (!isValidPersonId(person)) {
    throw new Error(`invalid person id ${JSON.stringify(person)}: use 1-128 of [A-Za-z0-9._:@-]`);
  }
  const levels = identiconLevels(person);
  return encodeGrayJpeg(levels, `${IDENTITY_PREFIX}${person}; kind=${kind}`);
}

/** One gray level per 8x8 block, mirrored left-right like a face. */
function identiconLevels(person: string): number[] {
  const digest = createHash('sha256').update(person).digest();
  const levels: number[] = [];
  for (let row = 0; row < SIDE_BLOCKS; row++) {
    for (let col = 0; col < SIDE_BLOCKS; col++) {
      const mirrored = col < SIDE_BLOCKS / 2 ? col : SIDE_BLOCKS - 1 - col;
      const byte = digest[(row * (SIDE_BLOCKS / 2) + mirrored) % digest.length];
      levels.push(byte & 1 ? 40 + (byte % 60) : 170 + (byte % 80));
    }
  }
  return levels;
}

function segment(marker: number, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, marker, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

// Annex K luminance DC table (categories 0..11); AC holds only EOB, because blocks are flat.
const DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_COUNTS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_SYMBOLS = [0x00];

function encodeGrayJpeg(blockLevels: number[], comment: string): Buffer {
  const side = SIDE_BLOCKS * 8;
  const jfif = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const dqt = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]);
  const sof = Buffer.from([8, side >> 8, side & 0xff, side >> 8, side & 0xff, 1, 1, 0x11, 0]);
  const dhtDc = Buffer.from([0x00, ...DC_COUNTS, ...DC_SYMBOLS]);
  const dhtAc = Buffer.from([0x10, ...AC_COUNTS, ...AC_SYMBOLS]);
  const sos = Buffer.from([1, 1, 0x00, 0, 63, 0]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, jfif),
    segment(0xfe, Buffer.from(comment, 'latin1')),
    segment(0xdb, dqt),
    segment(0xc0, sof),
    segment(0xc4, dhtDc),
    segment(0xc4, dhtAc),
    segment(0xda, sos),
    entropyCodedScan(blockLevels),
    Buffer.from([0xff, 0xd9]),
  ]);
}

function canonicalCodes(counts: number[], symbols: number[]): Map<number, { code: number; length: number }> {
  const codes = new Map<number, { code: number; length: number }>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < counts[length - 1]; i++) codes.set(symbols[k++], { code: code++, length });
    code <<= 1;
  }
  return codes;
}

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private filled = 0;

  write(value: number, length: number): void {
    for (let bit = length - 1; bit >= 0; bit--) {
      this.current = (this.current << 1) | ((value >> bit) & 1);
      if (++this.filled === 8) this.flushByte();
    }
  }

  finish(): Buffer {
    if (this.filled > 0) this.write((1 << (8 - this.filled)) - 1, 8 - this.filled); // pad with 1s
    return Buffer.from(this.bytes);
  }

  private flushByte(): void {
    this.bytes.push(this.current);
    if (this.current === 0xff) this.bytes.push(0x00); // byte stuffing
    this.current = 0;
    this.filled = 0;
  }
}

function entropyCodedScan(blockLevels: number[]): Buffer {
  const dc = canonicalCodes(DC_COUNTS, DC_SYMBOLS);
  const eob = canonicalCodes(AC_COUNTS, AC_SYMBOLS).get(0x00)!;
  const writer = new BitWriter();
  let previous = 0;
  for (const level of blockLevels) {
    // With all quantizers 1, a flat block of gray level v has DC coefficient 8 * (v - 128).
    const coefficient = 8 * (level - 128);
    const diff = coefficient - previous;
    previous = coefficient;
    const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
    const { code, length } = dc.get(category)!;
    writer.write(code, length);
    if (category > 0) writer.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
    writer.write(eob.code, eob.length);
  }
  return writer.finish();
}
