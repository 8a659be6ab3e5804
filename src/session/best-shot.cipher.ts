import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES;

/** A stored best shot that does not decrypt: another session's value, a flipped byte, a cut value or another key. */
export class BestShotRefusedError extends Error {
  override readonly name = 'BestShotRefusedError';
  constructor() {
    super('The stored best shot failed authentication.');
  }
}

/**
 * AES-256-GCM for best shots before they leave the process (docs/api.md §5, DATA_ENCRYPTION_KEY).
 * The session id is additional authenticated data, so that a value copied to another session's
 * key does not decrypt there. Layout: version (1 byte) | IV (12) | ciphertext | tag (16).
 */
export class BestShotCipher {
  /** A private KeyObject: the key bytes are not a property that a log line or a dump could show. */
  readonly #key: KeyObject;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('DATA_ENCRYPTION_KEY must be 32 bytes');
    this.#key = createSecretKey(key);
  }

  encrypt(sessionId: string, image: Buffer): Buffer {
    const header = Buffer.alloc(HEADER_BYTES);
    header[0] = FORMAT_VERSION;
    randomBytes(IV_BYTES).copy(header, 1);
    const cipher = createCipheriv('aes-256-gcm', this.#key, header.subarray(1), { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(header, sessionId));
    return Buffer.concat([header, cipher.update(image), cipher.final(), cipher.getAuthTag()]);
  }

  /** The image, or BestShotRefusedError when the value was not sealed by this key for this session. */
  decrypt(sessionId: string, sealed: Buffer): Buffer {
    if (sealed.length < HEADER_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) throw new BestShotRefusedError();
    const header = sealed.subarray(0, HEADER_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, header.subarray(1), { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(header, sessionId));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new BestShotRefusedError();
    }
  }
}

/** The version byte is authenticated too: a value cannot be replayed under another layout. */
function associatedData(header: Buffer, sessionId: string): Buffer {
  return Buffer.concat([header.subarray(0, 1), Buffer.from(`best-shot:${sessionId}`, 'utf8')]);
}
