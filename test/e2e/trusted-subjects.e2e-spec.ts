import { createHmac } from 'node:crypto';
import { decodeJwt } from 'jose';
import { SUBJECT_JWKS_OPTIONS } from '../../src/admission/subject-token.verifier';
import { API_KEY, type Stack, startStack } from '../app.factory';
import { buildContainer } from '../oz-emulator';
import { IDP_AUDIENCE, IDP_ISSUER, type JwksServer, makeSigningKey, type SigningKey, signToken, startJwksServer } from '../support/jwks-server';
import { problem, uploadContainer } from './http';
import { viewSession } from './liveness.helpers';
import { postSession } from './subjects.helpers';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const tokenCalls = (stack: Stack) => stack.emulator.requests().filter((request) => request.path.startsWith('/api/authorize/session_token')).length;
const ISSUED = { SUBJECT_JWT_ISSUER: IDP_ISSUER, SUBJECT_JWT_AUDIENCE: IDP_AUDIENCE };
const unauthorized = problem(401, 'UNAUTHORIZED', { retryable: false });

/** Contract §14, trusted subjects: a session is for a subject the company vouched for, with a key or a token. */
describe('trusted subjects on POST /v1/sessions', () => {
  let idp: JwksServer;
  let stack: Stack;
  let es256: SigningKey;
  const keys = new Map<string, SigningKey>();

  beforeAll(async () => {
    idp = await startJwksServer();
    for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) keys.set(alg, await idp.addKey(alg));
    es256 = keys.get('ES256') as SigningKey;
    stack = await startStack({ SUBJECT_JWKS_URL: idp.url, ...ISSUED });
  });
  afterAll(async () => {
    await stack.close();
    await idp.close();
  });
  beforeEach(() => stack.emulator.clearRequests());

  const url = () => stack.service.url;

  it.each(['ES256', 'RS256', 'EdDSA'] as const)('opens a session for the token’s sub, vouched for, when a %s token verifies', async (alg) => {
    const created = await postSession(url(), bearer(await idp.sign(keys.get(alg) as SigningKey, { sub: `customer-${alg}` })));

    expect(created.status).toBe(201);
    expect(created.body).toEqual({ sessionId: expect.any(String), sessionToken: expect.any(String), expiresAt: expect.any(String) });
    const view = await viewSession(url(), created.body.sessionId);
    expect(view.body).toMatchObject({ subjectId: `customer-${alg}`, subjectVerified: true, status: 'open' });
  });

  it('carries subjectVerified in the receipt of the decision', async () => {
    const created = await postSession(url(), bearer(await idp.sign(es256, { sub: 'customer-receipt' })));
    const upload = await uploadContainer(url(), created.body.sessionId, buildContainer({ token: created.body.sessionToken }));

    expect(upload.status).toBe(201);
    expect(decodeJwt(upload.body.receipt)).toMatchObject({ subjectId: 'customer-receipt', subjectVerified: true, decision: 'accepted' });
  });

  it('accepts a body subjectId equal to the token’s sub, and refuses another one with 400 before Oz is called', async () => {
    const token = await idp.sign(es256, { sub: 'customer-1' });

    const same = await postSession(url(), bearer(token), { subjectId: 'customer-1' });
    const other = await postSession(url(), bearer(token), { subjectId: 'customer-2' });

    expect(same.status).toBe(201);
    expect(other.status).toBe(400);
    expect(other.body).toEqual(problem(400, 'VALIDATION_FAILED', { retryable: false }));
    expect(tokenCalls(stack)).toBe(1);
  });

  describe('refuses with 401, WWW-Authenticate: Bearer and Oz not called', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, () => Promise<string>][] = [
      ['an expired token', () => idp.sign(es256, { sub: 'c', iat: now() - 600, exp: now() - 60 })],
      ['a token not yet valid (nbf)', () => idp.sign(es256, { sub: 'c', nbf: now() + 600 })],
      ['a token of another issuer', () => idp.sign(es256, { sub: 'c', iss: 'https://evil.example' })],
      ['a token for another audience', () => idp.sign(es256, { sub: 'c', aud: 'another-service' })],
      ['a token whose key the JWKS does not have (unknown kid)', async () => signToken(await makeSigningKey('ES256'), { sub: 'c', iss: IDP_ISSUER })],
      ['an unsigned token (alg none)', async () => unsigned({ sub: 'c', iss: IDP_ISSUER, aud: IDP_AUDIENCE, exp: now() + 300 }, es256.kid)],
      [
        'an HS256 token whose secret is the public key',
        async () => hs256WithPublicKey(es256, { sub: 'c', iss: IDP_ISSUER, aud: IDP_AUDIENCE, exp: now() + 300 }),
      ],
      ['a token whose sub is not a subject id', () => idp.sign(es256, { sub: 'auth0|has a space' })],
      ['a token without sub', () => idp.sign(es256, {})],
      ['a bearer value that is neither a key nor a JWT', () => Promise.resolve('not-a-key')],
    ];

    it.each(cases)('%s', async (_, token) => {
      const refused = await postSession(url(), bearer(await token()), { subjectId: 'c' });

      expect(refused.status).toBe(401);
      expect(refused.body).toEqual(unauthorized);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer');
      expect(tokenCalls(stack)).toBe(0);
    });

    it('a wrong X-Api-Key', async () => {
      const refused = await postSession(url(), { 'x-api-key': 'not-the-key' });

      expect(refused.status).toBe(401);
      expect(refused.body).toEqual(unauthorized);
      expect(tokenCalls(stack)).toBe(0);
    });
  });

  it('fetches the JWKS once for a flood of unknown kids within its cooldown', async () => {
    await postSession(url(), bearer(await idp.sign(es256, { sub: 'warm' })));
    const before = idp.fetches();
    const strangers = await Promise.all([1, 2, 3, 4, 5].map(async () => signToken(await makeSigningKey('ES256'), { sub: 'c' })));

    const answers = await Promise.all(strangers.map(async (token) => (await postSession(url(), bearer(token))).status));

    expect(answers).toEqual([401, 401, 401, 401, 401]);
    expect(idp.fetches() - before).toBeLessThanOrEqual(1);
  });

  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${API_KEY}` }],
    ['X-Api-Key', { 'x-api-key': API_KEY }],
  ])('trusts the body’s subjectId with an internal key as %s, and vouches for nobody without one', async (_, headers) => {
    const named = await postSession(url(), headers, { subjectId: 'customer-of-backend' });
    const unnamed = await postSession(url(), headers);

    expect([named.status, unnamed.status]).toEqual([201, 201]);
    expect((await viewSession(url(), named.body.sessionId)).body).toMatchObject({ subjectId: 'customer-of-backend', subjectVerified: true });
    expect((await viewSession(url(), unnamed.body.sessionId)).body).toMatchObject({ subjectId: null, subjectVerified: false });
  });

  it('keeps an anonymous subjectId the browser’s word: subjectVerified false', async () => {
    const created = await postSession(url(), {}, { subjectId: 'whoever' });

    expect(created.status).toBe(201);
    expect((await viewSession(url(), created.body.sessionId)).body).toMatchObject({ subjectId: 'whoever', subjectVerified: false });
  });
});

describe('trusted subjects, other configurations', () => {
  let idp: JwksServer;
  beforeAll(async () => {
    idp = await startJwksServer();
  });
  afterAll(() => idp.close());

  async function withStack(env: Record<string, string>, run: (stack: Stack) => Promise<void>, options = {}): Promise<void> {
    const stack = await startStack(env, options);
    try {
      await run(stack);
    } finally {
      await stack.close();
    }
  }

  it('follows a key rotation: the new key’s token verifies once published, the retired key’s no longer', async () => {
    const old = await idp.addKey('ES256');
    const options = { providers: [{ provide: SUBJECT_JWKS_OPTIONS, useValue: { cooldownMs: 0, cacheMaxAgeMs: 600_000, timeoutMs: 5_000 } }] };
    await withStack(
      { SUBJECT_JWKS_URL: idp.url, ...ISSUED },
      async ({ service }) => {
        expect((await postSession(service.url, bearer(await idp.sign(old, { sub: 'rotating' })))).status).toBe(201);
        const next = await makeSigningKey('RS256');
        idp.publish([next]);

        expect((await postSession(service.url, bearer(await idp.sign(next, { sub: 'rotating' })))).status).toBe(201);
        expect((await postSession(service.url, bearer(await idp.sign(old, { sub: 'rotating' })))).status).toBe(401);
      },
      options,
    );
  });

  it('verifies against SUBJECT_JWT_PUBLIC_KEY, and refuses a token of another key', async () => {
    const key = await makeSigningKey('EdDSA');
    await withStack({ SUBJECT_JWT_PUBLIC_KEY: key.publicPem, ...ISSUED }, async ({ service }) => {
      const created = await postSession(service.url, bearer(await signToken(key, { sub: 'pem-subject' })));
      const other = await postSession(service.url, bearer(await signToken(await makeSigningKey('EdDSA'), { sub: 'pem-subject' })));

      expect(created.status).toBe(201);
      expect((await viewSession(service.url, created.body.sessionId)).body).toMatchObject({ subjectId: 'pem-subject', subjectVerified: true });
      expect(other.status).toBe(401);
    });
  });

  it('refuses any bearer token that is not a key when no key source is configured', async () => {
    const key = await idp.addKey('ES256');
    await withStack({}, async ({ service }) => {
      const refused = await postSession(service.url, bearer(await idp.sign(key, { sub: 'customer-1' })));

      expect(refused.status).toBe(401);
      expect(refused.body).toEqual(unauthorized);
    });
  });

  it('refuses anonymous calls with SUBJECT_REQUIRED=true, and takes vouched ones', async () => {
    await withStack({ SUBJECT_REQUIRED: 'true' }, async ({ service }) => {
      const anonymous = await postSession(service.url, {}, { subjectId: 'customer-1' });
      const vouched = await postSession(service.url, { 'x-api-key': API_KEY }, { subjectId: 'customer-1' });

      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual(unauthorized);
      expect(vouched.status).toBe(201);
    });
  });

  it('does not count key-authenticated calls by the address limit, and holds anonymous ones, whatever subjectId they send', async () => {
    await withStack({ RATE_LIMIT_SESSIONS_PER_MINUTE: '2' }, async ({ service }) => {
      const keyed = [];
      for (let i = 0; i < 4; i++) keyed.push(await postSession(service.url, { 'x-api-key': API_KEY }, { subjectId: `customer-${i}` }));
      const anonymous = [];
      for (const body of [{ subjectId: 'a' }, undefined, { subjectId: 'b' }]) anonymous.push(await postSession(service.url, {}, body));

      expect(keyed.map((answer) => answer.status)).toEqual([201, 201, 201, 201]);
      // Not counted, but told where the address stands (§8): the whole budget still left.
      expect(keyed.map((answer) => [answer.headers.get('ratelimit-limit'), answer.headers.get('ratelimit-remaining')])).toEqual(Array(4).fill(['2', '2']));
      expect(Number(keyed[0].headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      expect(anonymous.map((answer) => answer.status)).toEqual([201, 201, 429]);
      expect(anonymous[2].body).toEqual(problem(429, 'RATE_LIMITED', { retryable: true }));
      expect(anonymous[2].headers.get('retry-after')).toMatch(/^\d+$/);
      const afterwards = await postSession(service.url, { 'x-api-key': API_KEY }, { subjectId: 'customer-9' });
      expect([afterwards.status, afterwards.headers.get('ratelimit-remaining')]).toEqual([201, '0']);
    });
  });
});

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** `alg: none`: a header, a payload and an empty signature. */
function unsigned(claims: Record<string, unknown>, kid: string): string {
  return `${base64url({ alg: 'none', typ: 'JWT', kid })}.${base64url(claims)}.`;
}

/** The classic confusion attack: HMAC with the verifier's own public key as the shared secret. */
function hs256WithPublicKey(key: SigningKey, claims: Record<string, unknown>): string {
  const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: key.kid })}.${base64url(claims)}`;
  const signature = createHmac('sha256', key.publicPem).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}
