import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { bodyText, LARGE_TEXT_BYTES, LargeText, parseOzJson, textOf } from './oz-json';

/** The parsed value with every LargeText turned back into its string: what JSON.parse gives. */
function asJsonParseWould(value: unknown): unknown {
  if (value instanceof LargeText) return value.toString();
  if (Array.isArray(value)) return value.map(asJsonParseWould);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asJsonParseWould(v)]));
  return value;
}

const parse = (text: string) => parseOzJson(Buffer.from(text, 'utf8'));
const base64Of = (bytes: number) => randomBytes(bytes).toString('base64');
const LONG = base64Of(LARGE_TEXT_BYTES); // 87,384 characters

describe('parseOzJson', () => {
  it('keeps a long base64 value as a LargeText of its characters, and everything else as JSON.parse does', () => {
    const folder = { folder_id: 'f-1', analyses: [{ type: 'QUALITY', output_images: [{ image_b64: LONG, n: 1.5, ok: true, none: null }] }] };

    const parsed = parse(JSON.stringify(folder)) as typeof folder;

    const image = parsed.analyses[0].output_images[0] as unknown as Record<string, unknown>;
    expect(image.image_b64).toBeInstanceOf(LargeText);
    expect(textOf(image.image_b64)).toBe(LONG);
    expect(asJsonParseWould(parsed)).toEqual(folder);
  });

  it('leaves a string shorter than LARGE_TEXT_BYTES a string', () => {
    const short = 'a'.repeat(LARGE_TEXT_BYTES - 1);

    expect(parse(JSON.stringify({ a: short, b: LONG }))).toEqual({ a: short, b: expect.any(LargeText) });
  });

  it.each([
    ['an escape', `${LONG}\\n${LONG}`],
    ['an escaped quote', `${LONG}\\"${LONG}`],
    ['a character outside ASCII', `${LONG}é`],
  ])('leaves a long string with %s a string, exactly as JSON.parse reads it', (_, raw) => {
    const text = `{"before":"x","value":"${raw}","after":"${LONG}"}`;

    const parsed = parse(text) as Record<string, unknown>;

    expect(typeof parsed.value).toBe('string');
    expect(parsed.after).toBeInstanceOf(LargeText);
    expect(asJsonParseWould(parsed)).toEqual(JSON.parse(text));
  });

  it('finds where a string ends after an escaped backslash', () => {
    const text = `{"a":"x\\\\","b":"${LONG}","c":"\\\\\\""}`;

    const parsed = parse(text) as Record<string, unknown>;

    expect(parsed.b).toBeInstanceOf(LargeText);
    expect(asJsonParseWould(parsed)).toEqual({ a: 'x\\', b: LONG, c: '\\"' });
  });

  it('reads nesting as deep as JSON.parse reads, with a long string at the bottom', () => {
    const text = `${'['.repeat(3000)}"${LONG}"${']'.repeat(3000)}`;

    let innermost = parse(text);
    for (let depth = 0; depth < 3000; depth += 1) innermost = (innermost as unknown[])[0];
    expect(innermost).toBeInstanceOf(LargeText);
    expect(textOf(innermost)).toBe(LONG);
  });

  it('keeps a long value under an own __proto__ key an own property, as JSON.parse does', () => {
    const parsed = parse(`{"__proto__":"${LONG}","a":1}`) as Record<string, unknown>;

    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBeInstanceOf(LargeText);
    expect(parsed.a).toBe(1);
  });

  it('answers a whole long string as a LargeText', () => {
    expect(textOf(parse(JSON.stringify(LONG)))).toBe(LONG);
  });

  it('leaves a long key a key', () => {
    const text = `{"${LONG}" : "v", "w": "${LONG}"}`;

    expect(asJsonParseWould(parse(text))).toEqual(JSON.parse(text));
    expect(Object.keys(parse(text) as object)).toEqual([LONG, 'w']);
  });

  it('reads an answer that itself holds the escape \\u0000 exactly as JSON.parse does, nothing cut', () => {
    const text = `{"a":"\\u00001","b":"${LONG}"}`;

    expect(parse(text)).toEqual({ a: '\u00001', b: LONG });
  });

  it('skips a UTF-8 byte order mark as the HTTP client did', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{"b":"${LONG}"}`)]);

    expect(asJsonParseWould(parseOzJson(body))).toEqual({ b: LONG });
  });

  it.each([
    ['a raw line break inside a long string', `{"b":"${LONG}\n${LONG}"}`],
    ['a raw control character at the end of a long string', `{"b":"${LONG}\u0001"}`],
    ['a tab at the start of a long string', `{"b":"\t${LONG}"}`],
    ['an unterminated long string', `{"b":"${LONG}`],
    ['a missing comma after a long string', `{"b":"${LONG}" "c":1}`],
    ['text that is not JSON around a long string', `<html>"${LONG}"</html>`],
  ])('throws as JSON.parse does on %s', (_, text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parse(text)).toThrow(SyntaxError);
  });

  it('reads any JSON value as JSON.parse does, with long strings anywhere in it', () => {
    const long = fc.constantFrom(LONG, `data:image/jpeg;base64,${LONG}`, 'x'.repeat(LARGE_TEXT_BYTES + 3), `${LONG} `);
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.string({ unit: 'grapheme' }),
        long,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;

    fc.assert(
      fc.property(json, fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(asJsonParseWould(parse(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 150 },
    );
  });
});

describe('bodyText', () => {
  it('reads a body as UTF-8 without a leading byte order mark', () => {
    expect(bodyText(Buffer.from('\ufeff{"error_code":14}é'))).toBe('{"error_code":14}é');
    expect(bodyText(Buffer.from('{"error_code":14}'))).toBe('{"error_code":14}');
  });
});

describe('LargeText', () => {
  const text = `data:image/jpeg;base64,${LONG}`;
  const large = () => (parse(JSON.stringify({ v: text })) as { v: LargeText }).v;

  it('slices as String.prototype.slice does', () => {
    for (const [start, end] of [
      [0, 23],
      [23, 39],
      [-2, undefined],
      [text.length - 5, text.length + 10],
      [50, 40],
    ] as const) {
      expect(large().slice(start, end)).toBe(text.slice(start, end));
    }
    expect(large().length).toBe(text.length);
  });

  it.each([0, 1, 2])('decodes base64 from an offset exactly as Buffer.from(text, "base64") (%i padding characters)', (padding) => {
    const bytes = randomBytes(3 * 40_000 - padding);
    const encoded = `data:image/jpeg;base64,${bytes.toString('base64')}`;
    const value = (parse(JSON.stringify({ v: encoded })) as { v: LargeText }).v;

    expect(value.decodeBase64From(23).equals(bytes)).toBe(true);
  });

  it('decodes characters outside the alphabet to fewer bytes than the text promises', () => {
    const encoded = `${LONG.slice(0, 70_000)}!!!!${LONG.slice(70_000)}`;
    const value = (parse(JSON.stringify({ v: encoded })) as { v: LargeText }).v;

    expect(value.decodeBase64From(0).length).toBeLessThan((LONG.length * 3) / 4);
  });
});
