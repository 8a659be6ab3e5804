import fc from 'fast-check';
import { AppError } from '../common/app-error';
import { decodeCursor, encodeCursor } from './review-cursor';

describe('the review queue cursor', () => {
  it('decodes every cursor it encodes to the same entry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8_640_000_000_000 }), fc.uuid(), (ms, id) => {
        const cursor = { since: new Date(ms), sessionId: id.toLowerCase() };
        expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
      }),
    );
  });

  it('answers VALIDATION_FAILED to any text that is not exactly a cursor it gave, never another error', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          const cursor = decodeCursor(text);
          expect(encodeCursor(cursor)).toBe(text);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('VALIDATION_FAILED');
        }
      }),
    );
  });

  it('refuses a cursor with anything around its entry (base64url decoding would skip what it cannot read)', () => {
    const cursor = encodeCursor({ since: new Date(1_000), sessionId: '3d0f6a55-1c2b-4e8f-9a7d-6b5c4e3f2a10' });

    for (const text of [`${cursor}=`, `${cursor}!`, ` ${cursor}`, Buffer.from('1000.3d0f6a55-1c2b-4e8f-9a7d-6b5c4e3f2a10x').toString('base64url')]) {
      expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    }
  });
});
