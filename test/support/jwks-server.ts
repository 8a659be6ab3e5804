/**
 * An identity provider for tests: signing keys made with jose, and a real HTTP server on a free
 * port that publishes their public halves as a JWKS, as the company's identity provider would.
 *
 *   const idp = await startJwksServer();                 // idp.url: SUBJECT_JWKS_URL
 *   const key = await idp.addKey('ES256');               // published from now on
 *   const token = await idp.sign(key, { sub: 'customer-1' });
 *   idp.publish([other]);                                // rotation: only these keys from now on
 *   idp.fetches();                                       // how often the JWKS was fetched
 *   await idp.close();
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, type KeyLike, SignJWT } from 'jose';

export const IDP_ISSUER = 'https://id.example.test';
export const IDP_AUDIENCE = 'oz-liveness-service';

export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyLike;
  publicJwk: JWK;
  /** SPKI PEM of the public key: SUBJECT_JWT_PUBLIC_KEY. */
  publicPem: string;
}

export interface JwksServer {
  readonly url: string;
  addKey(alg: SigningAlgorithm): Promise<SigningKey>;
  publish(keys: SigningKey[]): void;
  /** A token with iss, aud, iat, exp (in 5 minutes) and the given claims over them; `header` may override the protected header. */
  sign(key: SigningKey, claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  fetches(): number;
  close(): Promise<void>;
}

export async function makeSigningKey(alg: SigningAlgorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  const kid = randomUUID();
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, publicPem: await exportSPKI(publicKey) };
}

export function signToken(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: IDP_ISSUER, aud: IDP_AUDIENCE, iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

export async function startJwksServer(): Promise<JwksServer> {
  let published: SigningKey[] = [];
  let fetches = 0;
  const server = createServer((request, response) => {
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: published.map((key) => key.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    async addKey(alg) {
      const key = await makeSigningKey(alg);
      published = [...published, key];
      return key;
    },
    publish: (keys) => (published = [...keys]),
    sign: signToken,
    fetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
