import fc from 'fast-check';
import { requestIdFrom } from './request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SANE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-'.split('');
const saneToken = fc.string({ unit: fc.constantFrom(...SANE_CHARS), minLength: 1, maxLength: 128 });

describe('requestIdFrom', () => {
  it('keeps a sane token of up to 128 chars of A-Za-z0-9._:- exactly', () => {
    fc.assert(
      fc.property(saneToken, (token) => {
        expect(requestIdFrom(token)).toBe(token);
      }),
    );
  });

  it('keeps a token of exactly 128 sane chars', () => {
    const token = 'a:b.c_d-'.repeat(16);

    expect(requestIdFrom(token)).toBe(token);
  });

  it('replaces a token longer than 128 chars by a new UUID v4', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...SANE_CHARS), minLength: 129, maxLength: 400 }), (token) => {
        expect(requestIdFrom(token)).toMatch(UUID_V4);
      }),
    );
  });

  it('replaces a token with any character outside A-Za-z0-9._:- by a new UUID v4', () => {
    const foreign = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((char) => !SANE_CHARS.includes(char));
    const tainted = fc
      .tuple(fc.string({ unit: fc.constantFrom(...SANE_CHARS), maxLength: 60 }), foreign, fc.string({ unit: fc.constantFrom(...SANE_CHARS), maxLength: 60 }))
      .map(([before, char, after]) => `${before}${char}${after}`);

    fc.assert(
      fc.property(tainted, (token) => {
        expect(requestIdFrom(token)).toMatch(UUID_V4);
      }),
    );
  });

  it.each(['', ' ', 'abc ', 'a\nb', 'a/b', 'ä', 'id\r\nX-Injected: 1', '../etc'])('replaces %p by a new UUID v4', (header) => {
    expect(requestIdFrom(header)).toMatch(UUID_V4);
  });

  it('replaces an array of values, even of sane tokens, by a new UUID v4', () => {
    fc.assert(
      fc.property(fc.array(saneToken, { maxLength: 3 }), (headers) => {
        expect(requestIdFrom(headers)).toMatch(UUID_V4);
      }),
    );
  });

  it('gives a new UUID v4 when the header is absent, a different one each time', () => {
    const first = requestIdFrom(undefined);
    const second = requestIdFrom(undefined);

    expect(first).toMatch(UUID_V4);
    expect(second).toMatch(UUID_V4);
    expect(first).not.toBe(second);
  });
});
