import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jwtVerify, SignJWT } from 'jose';

/** File names inside OZ_EMULATOR_KEYS_DIR (PEM: PKCS#8 private key, SPKI public key, P-384). */
export const PRIVATE_KEY_FILE = 'session-token-private.pem';
export const PUBLIC_KEY_FILE = 'session-token-public.pem';
export const TOKEN_ISSUER = 'oz-api-instant-emulator';

export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Reads the P-384 pair from `dir`, creating it there when absent; without `dir`, a fresh pair. */
export function loadOrCreateKeys(dir?: string): SigningKeys {
  if (dir && existsSync(join(dir, PRIVATE_KEY_FILE))) {
    const privateKey = createPrivateKey(readFileSync(join(dir, PRIVATE_KEY_FILE)));
    const publicPath = join(dir, PUBLIC_KEY_FILE);
    const publicKey = existsSync(publicPath) ? createPublicKey(readFileSync(publicPath)) : createPublicKey(privateKey);
    return { privateKey, publicKey };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  if (dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, PRIVATE_KEY_FILE), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, PUBLIC_KEY_FILE), publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return { privateKey, publicKey };
}

export interface VerifiedToken {
  jti: string;
  exp: number;
}

/**
 * Issues ES384 session tokens and enforces their single use. Oz binds one container to one
 * capture session and rejects a replay; the emulator models that with a consumed-jti set.
 */
export class SessionTokenAuthority {
  private readonly consumed = new Map<string, number>();
  private lastSweep = 0;

  constructor(
    private readonly keys: SigningKeys,
    private readonly defaultTtlSeconds: number,
  ) {}

  async issue(ttlSeconds = this.defaultTtlSeconds): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ scope: 'instant' })
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT' })
      .setJti(randomUUID())
      .setIssuer(TOKEN_ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(this.keys.privateKey);
  }

  /** The token's jti and exp when it is signed by this emulator and not expired; null otherwise. */
  async verify(token: string): Promise<VerifiedToken | null> {
    try {
      const { payload } = await jwtVerify(token, this.keys.publicKey, {
        algorithms: ['ES384'],
        issuer: TOKEN_ISSUER,
        requiredClaims: ['jti', 'iat', 'exp'],
      });
      return { jti: String(payload.jti), exp: Number(payload.exp) };
    } catch {
      return null;
    }
  }

  isConsumed(jti: string): boolean {
    return this.consumed.has(jti);
  }

  /** Marks the token used; false when it already was. Synchronous, so concurrent replays cannot both win. */
  consume(token: VerifiedToken): boolean {
    if (this.consumed.has(token.jti)) return false;
    this.forgetExpired();
    this.consumed.set(token.jti, token.exp);
    return true;
  }

  private forgetExpired(): void {
    // An expired token fails verification anyway, so its jti no longer needs remembering.
    const now = Math.floor(Date.now() / 1000);
    if (now === this.lastSweep) return;
    this.lastSweep = now;
    for (const [jti, exp] of this.consumed) if (exp < now) this.consumed.delete(jti);
  }
}
