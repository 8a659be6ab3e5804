import { randomBytes, randomUUID } from 'node:crypto';
import { BestShotCipher, BestShotRefusedError } from './best-shot.cipher';

const KEY = randomBytes(32);
const IMAGE = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2_000), Buffer.from([0xff, 0xd9])]);

describe('BestShotCipher', () => {
  const cipher = new BestShotCipher(KEY);
  const sessionId = randomUUID();

  it('gives back the exact image for the session it was sealed for', () => {
    const sealed = cipher.encrypt(sessionId, IMAGE);

    expect(cipher.decrypt(sessionId, sealed).equals(IMAGE)).toBe(true);
  });

  it('seals an empty image too', () => {
    expect(cipher.decrypt(sessionId, cipher.encrypt(sessionId, Buffer.alloc(0)))).toEqual(Buffer.alloc(0));
  });

  it('never holds the image in clear and seals the same image differently each time (fresh IV)', () => {
    const first = cipher.encrypt(sessionId, IMAGE);
    const second = cipher.encrypt(sessionId, IMAGE);

    expect(first.includes(IMAGE.subarray(0, 64))).toBe(false);
    expect(first.equals(second)).toBe(false);
    expect(first).toHaveLength(1 + 12 + IMAGE.length + 16);
  });

  it('refuses a value sealed for another session (a value copied to another key)', () => {
    const sealed = cipher.encrypt(randomUUID(), IMAGE);

    expect(() => cipher.decrypt(sessionId, sealed)).toThrow(BestShotRefusedError);
  });

  it.each([
    ['the version byte', 0],
    ['an IV byte', 5],
    ['a ciphertext byte', 100],
    ['a tag byte', -1],
  ])('refuses a value with a flipped bit in %s', (_part, index) => {
    const sealed = cipher.encrypt(sessionId, IMAGE);
    const at = index < 0 ? sealed.length + index : index;
    sealed[at] ^= 0x01;

    expect(() => cipher.decrypt(sessionId, sealed)).toThrow(BestShotRefusedError);
  });

  it.each([
    ['its last byte', (sealed: Buffer) => sealed.subarray(0, sealed.length - 1)],
    ['its tag', (sealed: Buffer) => sealed.subarray(0, sealed.length - 16)],
    ['all but the header', (sealed: Buffer) => sealed.subarray(0, 13)],
    ['everything', () => Buffer.alloc(0)],
  ])('refuses a value cut short by %s', (_part, cut) => {
    const sealed = cipher.encrypt(sessionId, IMAGE);

    expect(() => cipher.decrypt(sessionId, cut(sealed))).toThrow(BestShotRefusedError);
  });

  it('refuses a value sealed under another key', () => {
    const sealed = new BestShotCipher(randomBytes(32)).encrypt(sessionId, IMAGE);

    expect(() => cipher.decrypt(sessionId, sealed)).toThrow(BestShotRefusedError);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new BestShotCipher(randomBytes(16))).toThrow('DATA_ENCRYPTION_KEY must be 32 bytes');
  });
});
