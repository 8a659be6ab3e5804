import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { startStack, type Stack } from '../app.factory';
import { buildContainer, buildReferenceImage, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { call, createSession, uploadContainer } from './http';
import { analysedSession, matchFaces, referenceForm, viewSession } from './internal.helpers';
import { ensureBuilt, type RunningService, spawnService } from './ops.helpers';
import { redisCompanions } from './webhooks.helpers';

const ISSUER = 'acme-verification';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A compact JWS with one of its three parts replaced. */
function withPart(token: string, index: number, part: string): string {
  const parts = token.split('.');
  parts[index] = part;
  return parts.join('.');
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

describe('decision receipts (docs/api.md §11), verified with jose against GET /.well-known/jwks.json', () => {
  let stack: Stack;
  const url = () => stack.service.url;
  const jwks = () => createRemoteJWKSet(new URL(`${url()}/.well-known/jwks.json`));
  const verify = (receipt: string) => jwtVerify(receipt, jwks(), { issuer: ISSUER, algorithms: ['ES256'], typ: 'JWT' });

  beforeAll(async () => {
    stack = await startStack({ RECEIPT_ISSUER: ISSUER });
  });
  afterAll(() => stack.close());

  it('publishes the public key alone: EC P-256, its kid, alg ES256, use sig', async () => {
    const answer = await call(`${url()}/.well-known/jwks.json`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      keys: [
        {
          kty: 'EC',
          crv: 'P-256',
          x: expect.stringMatching(/^[\w-]{43}$/),
          y: expect.stringMatching(/^[\w-]{43}$/),
          kid: expect.any(String),
          alg: 'ES256',
          use: 'sig',
        },
      ],
    });
  });

  it('signs a liveness decision: ES256, typ JWT, the published kid, and exactly the claims of §11, with no score', async () => {
    const { sessionId, upload } = await analysedSession(url(), { scenario: 'spoof', subjectId: 'customer-42', eventSessionId: 'oz-event-42' });
    const { keys } = (await call(`${url()}/.well-known/jwks.json`)).body as JSONWebKeySet;

    const { payload, protectedHeader } = await verify(upload.body.receipt);

    expect(protectedHeader).toEqual({ alg: 'ES256', typ: 'JWT', kid: keys[0].kid });
    expect(payload).toEqual({
      iss: ISSUER,
      sub: sessionId,
      jti: expect.stringMatching(UUID),
      iat: Math.floor(Date.parse(upload.body.completedAt) / 1000),
      subjectId: 'customer-42',
      subjectVerified: false,
      decision: 'rejected',
      reason: 'LIVENESS_DECLINED',
      folderId: upload.body.folderId,
      eventSessionId: 'oz-event-42',
      checks: [{ type: 'liveness', resolution: 'DECLINED' }],
    });
    expect((await viewSession(url(), sessionId)).body.result.receipt).toBe(upload.body.receipt);
  });

  it('refuses a receipt whose payload, signature or header was changed', async () => {
    const { upload } = await analysedSession(url(), { scenario: 'spoof' });
    const receipt: string = upload.body.receipt;
    const promoted = base64url({ ...payloadOf(receipt), decision: 'accepted', reason: 'LIVENESS_PASSED' });
    const signature = Buffer.from(receipt.split('.')[2], 'base64url');
    signature[10] ^= 0x01;
    const unsigned = base64url({ alg: 'none', typ: 'JWT' });

    await expect(verify(withPart(receipt, 1, promoted))).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    await expect(verify(withPart(receipt, 2, signature.toString('base64url')))).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    await expect(verify(`${unsigned}.${receipt.split('.')[1]}.`)).rejects.toThrow();
    await expect(verify(receipt)).resolves.toBeDefined();
  });

  it('answers a replayed upload with the first receipt byte for byte, also after a face match issued a new one', async () => {
    const { sessionId, sessionToken } = await createSession(url());
    const container = buildContainer({ token: sessionToken, person: 'receipt-bio' });
    const first = await uploadContainer(url(), sessionId, container);
    const replay = await uploadContainer(url(), sessionId, container);
    stack.service.clock.advance(5_000);
    expect((await matchFaces(url(), sessionId, referenceForm(buildReferenceImage('receipt-bio')))).status).toBe(201);
    const afterMatch = await uploadContainer(url(), sessionId, container);
    const view = await viewSession(url(), sessionId);

    expect([first.status, replay.status, afterMatch.status]).toEqual([201, 200, 200]);
    expect(replay.bytes).toEqual(first.bytes);
    expect(afterMatch.bytes).toEqual(first.bytes);
    const liveness = (await verify(first.body.receipt)).payload;
    const biometry = (await verify(view.body.result.receipt)).payload;
    expect(view.body.result.receipt).not.toBe(first.body.receipt);
    expect(biometry).toEqual({
      ...liveness,
      jti: expect.stringMatching(UUID),
      iat: (liveness.iat as number) + 5,
      decision: 'accepted',
      reason: 'FACE_MATCHED',
      checks: [
        { type: 'liveness', resolution: 'SUCCESS' },
        { type: 'biometry', resolution: 'SUCCESS' },
      ],
    });
    expect(biometry.jti).not.toBe(liveness.jti);
  });
});

describe('receipts of two service processes sharing RECEIPT_SIGNING_KEY', () => {
  let emulator: OzEmulator;
  let replicas: RunningService[] = [];
  const companions = redisCompanions();

  beforeAll(async () => {
    ensureBuilt();
    emulator = await startOzEmulator();
    const env = { OZ_API_URL: emulator.url, RECEIPT_SIGNING_KEY: companions.RECEIPT_SIGNING_KEY, LOG_LEVEL: 'warn' };
    replicas = await Promise.all([spawnService(env), spawnService(env)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await emulator?.close();
  });

  it('publish the same kid and verify each other’s receipts; a service with another key verifies neither', async () => {
    const [one, two] = replicas;
    const keysOf = async (baseUrl: string) => (await call(`${baseUrl}/.well-known/jwks.json`)).body as JSONWebKeySet;
    const [fromOne, fromTwo] = await Promise.all([one, two].map(async (replica) => (await analysedSession(replica.url)).upload.body.receipt as string));
    const other = await startStack({ RECEIPT_SIGNING_KEY: redisCompanions().RECEIPT_SIGNING_KEY });
    try {
      const [keysOne, keysTwo, keysOther] = await Promise.all([keysOf(one.url), keysOf(two.url), keysOf(other.service.url)]);

      expect(keysTwo).toEqual(keysOne);
      expect(decodeProtectedHeader(fromOne).kid).toBe(keysOne.keys[0].kid);
      await expect(jwtVerify(fromOne, createLocalJWKSet(keysTwo), { algorithms: ['ES256'] })).resolves.toMatchObject({ payload: { decision: 'accepted' } });
      await expect(jwtVerify(fromTwo, createLocalJWKSet(keysOne), { algorithms: ['ES256'] })).resolves.toMatchObject({ payload: { decision: 'accepted' } });
      expect(keysOther.keys[0].kid).not.toBe(keysOne.keys[0].kid);
      await expect(jwtVerify(fromOne, createLocalJWKSet(keysOther))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    } finally {
      await other.close();
    }
  });
});
