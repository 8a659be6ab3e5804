import { isAscii } from 'node:buffer';

/**
 * Oz's answers, parsed from their bytes. A folder carries its images as base64 strings of a few
 * hundred kilobytes. As JavaScript strings, the answer's text and each image would be V8 large
 * objects (over 128 KiB), each mapped, faulted in page by page and unmapped again: about 1 ms
 * apiece on the bench's virtual machine, where a 300 KiB upload costs the service 5 ms in all
 * (bench/RESULTS.md). So long strings are cut out of the text before JSON.parse and stay as
 * their bytes (`LargeText`); the one reader that wants one, the best shot, decodes its base64
 * straight from them.
 *
 * Only a string that JSON.parse would have turned into exactly its bytes is cut out: ASCII, no
 * escape, no control character, and a value (never a key). So the parsed answer is the same as
 * JSON.parse's, with LargeText where those strings were, and an answer that is not JSON is still
 * refused as a whole.
 */
export const LARGE_TEXT_BYTES = 64 * 1024;

/** A long JSON string value as its ASCII bytes: one byte per character. */
export class LargeText {
  constructor(private readonly bytes: Buffer) {}

  get length(): number {
    return this.bytes.length;
  }

  /** Characters `start` to `end`, as String.prototype.slice (for heads and tails: keep it short). */
  slice(start: number, end?: number): string {
    const from = bounded(start, this.bytes.length);
    const to = end === undefined ? this.bytes.length : bounded(end, this.bytes.length);
    return to > from ? this.bytes.toString('latin1', from, to) : '';
  }

  /**
   * Characters `start` to the end decoded from base64 without building the text: the bytes of
   * Buffer.from(text, 'base64') for text in its alphabet; characters outside it are skipped, so
   * that, as with Buffer.from, the result is shorter than the text's length promises.
   */
  decodeBase64From(start: number): Buffer {
    const text = this.bytes.subarray(start);
    const out = Buffer.allocUnsafe(Math.ceil((text.length * 3) / 4));
    let written = 0;
    // Whole quanta of 4 characters per piece, each piece a small (young) string.
    for (let at = 0; at < text.length; at += BASE64_PIECE) written += out.write(text.toString('latin1', at, at + BASE64_PIECE), written, 'base64');
    return out.subarray(0, written);
  }

  /** The whole string: itself a large object, for rare paths only. */
  toString(): string {
    return this.bytes.toString('latin1');
  }
}

/** A multiple of 4, and below V8's large-object size for a one-byte string. */
const BASE64_PIECE = 64 * 1024;

/** A JSON object (not an array, not a LargeText). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LargeText);
}

/** A string value of a parsed answer, long or short. */
export function isText(value: unknown): value is string | LargeText {
  return typeof value === 'string' || value instanceof LargeText;
}

/** A string value of a parsed answer as a string (a LargeText is built whole), or null. */
export function textOf(value: unknown): string | null {
  return typeof value === 'string' ? value : value instanceof LargeText ? value.toString() : null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** The escape a cut-out string is replaced by, followed by its index: refused if the answer uses it itself. */
const MARK = '\\u0000';

/** A body as text, without a leading UTF-8 byte order mark (as undici's text() gave it). */
export function bodyText(body: Buffer): string {
  return withoutBom(body).toString('utf8');
}

/** JSON.parse of a UTF-8 body (a leading BOM skipped), long strings left as LargeText; throws as JSON.parse does. */
export function parseOzJson(body: Buffer): unknown {
  const bytes = withoutBom(body);
  const cut: LargeText[] = [];
  const parts: string[] = [];
  let copied = 0;
  if (bytes.length >= LARGE_TEXT_BYTES && !bytes.includes(MARK)) {
    for (let open = bytes.indexOf(QUOTE); open >= 0;) {
      const close = closingQuote(bytes, open);
      if (close < 0) break; // unterminated: JSON.parse says so
      if (close - open - 1 >= LARGE_TEXT_BYTES && isPlainValue(bytes, open, close)) {
        parts.push(bytes.toString('utf8', copied, open + 1), `${MARK}${cut.length}`);
        cut.push(new LargeText(bytes.subarray(open + 1, close)));
        copied = close;
      }
      open = bytes.indexOf(QUOTE, close + 1);
    }
  }
  if (cut.length === 0) return JSON.parse(bytes.toString('utf8'));
  parts.push(bytes.toString('utf8', copied));
  return restoreCut(JSON.parse(parts.join('')), cut);
}

function withoutBom(body: Buffer): Buffer {
  return body.subarray(0, 3).equals(UTF8_BOM) ? body.subarray(3) : body;
}

const isMark = (value: unknown): value is string => typeof value === 'string' && value.charCodeAt(0) === 0;

/**
 * Puts each LargeText where its mark was. A loop over a stack, not JSON.parse's reviver: that
 * recurses, and would overflow on nesting that JSON.parse itself reads.
 */
function restoreCut(parsed: unknown, cut: LargeText[]): unknown {
  if (isMark(parsed)) return cut[Number(parsed.slice(1))];
  const pending: unknown[] = [parsed];
  while (pending.length > 0) {
    const container = pending.pop();
    if (typeof container !== 'object' || container === null) continue;
    const holder = container as Record<string, unknown>;
    for (const key of Object.keys(holder)) {
      const value = holder[key];
      // defineProperty: an own `__proto__` key (JSON.parse makes one) must not set the prototype.
      if (isMark(value)) Object.defineProperty(holder, key, { value: cut[Number(value.slice(1))], writable: true, enumerable: true, configurable: true });
      else if (typeof value === 'object' && value !== null) pending.push(value);
    }
  }
  return parsed;
}

/** The quote that ends the string opened at `open`, or -1. */
function closingQuote(bytes: Buffer, open: number): number {
  let close = bytes.indexOf(QUOTE, open + 1);
  while (close >= 0 && isEscaped(bytes, close)) close = bytes.indexOf(QUOTE, close + 1);
  return close;
}

function isEscaped(bytes: Buffer, at: number): boolean {
  let backslashes = 0;
  while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes += 1;
  return backslashes % 2 === 1;
}

/** A value whose characters are its bytes: ASCII, without escapes or control characters. */
function isPlainValue(bytes: Buffer, open: number, close: number): boolean {
  const text = bytes.subarray(open + 1, close);
  return !isKey(bytes, close) && isAscii(text) && !text.includes(BACKSLASH) && !hasControlCharacter(text);
}

function isKey(bytes: Buffer, close: number): boolean {
  let at = close + 1;
  while (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0a || bytes[at] === 0x0d) at += 1;
  return bytes[at] === COLON;
}

/**
 * Whether ASCII bytes hold one below 0x20 (JSON.parse refuses those inside a string), four at a
 * time: a word has such a byte when subtracting 0x20 from each borrows into its top bit.
 */
function hasControlCharacter(ascii: Buffer): boolean {
  const head = Math.min(ascii.length, (4 - (ascii.byteOffset % 4)) % 4);
  const words = Math.floor((ascii.length - head) / 4);
  for (let i = 0; i < head; i += 1) if (ascii[i] < 0x20) return true;
  const view = new Uint32Array(ascii.buffer, ascii.byteOffset + head, words);
  for (let i = 0; i < words; i += 1) {
    const word = view[i];
    if (((word - 0x20202020) & ~word & 0x80808080) !== 0) return true;
  }
  for (let i = head + words * 4; i < ascii.length; i += 1) if (ascii[i] < 0x20) return true;
  return false;
}

function bounded(index: number, length: number): number {
  return index < 0 ? Math.max(0, length + index) : Math.min(index, length);
}
