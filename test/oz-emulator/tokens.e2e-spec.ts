import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { OzEmulator, startOzEmulator } from './index';
import { fetchToken, readAnswer, submit } from './test-kit';
import { PUBLIC_KEY_FILE, PRIVATE_KEY_FILE } from './tokens';

describe('Oz emulator: session tokens', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator({ tokenTtlSeconds: 600 });
  });
  afterAll(() => emulator.close());

  it.each(['GET', 'POST'])('answers 200 with an ES384 JWT carrying jti, iat and exp to %s', async (method) => {
    const response = await fetch(`${emulator.url}/api/authorize/session_token`, {
      method,
      headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
      body: method === 'POST' ? '{}' : undefined,
    });
    const answer = await readAnswer(response);

    expect(answer.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(answer.body)).toEqual(['session_token']);
    const claims = decodeJwt(answer.body.session_token);
    expect(decodeProtectedHeader(answer.body.session_token).alg).toBe('ES384');
    expect(claims.jti).toEqual(expect.any(String));
    expect(claims.exp! - claims.iat!).toBe(600);
  });

  it('issues a different jti on every call', async () => {
    const [a, b] = await Promise.all([fetchToken(emulator), fetchToken(emulator)]);

    expect(decodeJwt(a).jti).not.toBe(decodeJwt(b).jti);
  });

  it('mints an already expired token through issueToken with a negative ttl, which a container cannot use', async () => {
    const token = await emulator.issueToken({ ttlSeconds: -1 });

    expect(decodeJwt(token).exp!).toBeLessThan(Date.now() / 1000);
    expect(await submit(emulator, { token })).toEqual({
      status: 400,
      body: { error_code: 14, error_message: 'Invalid request data', details: null },
    });
  });
});

describe('Oz emulator: access token (X-Forensic-Access-Token)', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator({ accessToken: 'forensic-secret' });
  });
  afterAll(() => emulator.close());

  it('answers 401 with code 6 when the header is missing', async () => {
    const answer = await readAnswer(await fetch(`${emulator.url}/api/authorize/session_token`));

    expect(answer).toEqual({ status: 401, body: { error_code: 6, error_message: expect.any(String), details: null } });
  });

  it('answers 401 with code 7 when the header holds a wrong value, on the folders route too', async () => {
    const answer = await readAnswer(
      await fetch(`${emulator.url}/api/instant/folders/`, {
        method: 'POST',
        headers: { 'x-forensic-access-token': 'wrong', 'content-type': 'application/octet-stream' },
        body: 'x',
      }),
    );

    expect(answer).toEqual({ status: 401, body: { error_code: 7, error_message: expect.any(String), details: null } });
  });

  it('answers 200 when the header matches', async () => {
    const token = await fetchToken(emulator, { headers: { 'x-forensic-access-token': 'forensic-secret' } });

    expect(token.split('.')).toHaveLength(3);
  });
});

describe('Oz emulator: signing keys directory', () => {
  let keysDir: string;

  beforeEach(() => {
    keysDir = mkdtempSync(join(tmpdir(), 'oz-emulator-keys-'));
  });
  afterEach(() => rmSync(keysDir, { recursive: true, force: true }));

  it('creates the PEM pair when absent and reuses it on the next start, so tokens survive a restart', async () => {
    const first = await startOzEmulator({ keysDir });
    const token = await fetchToken(first);
    await first.close();

    const second = await startOzEmulator({ keysDir });
    try {
      const publicKey = await importSPKI(readFileSync(join(keysDir, PUBLIC_KEY_FILE), 'utf8'), 'ES384');
      await expect(jwtVerify(token, publicKey)).resolves.toBeDefined();
      expect(readFileSync(join(keysDir, PRIVATE_KEY_FILE), 'utf8')).toContain('BEGIN PRIVATE KEY');
      expect((await submit(second, { token })).status).toBe(201);
    } finally {
      await second.close();
    }
  });

  it('rejects with 14 a container whose token another emulator signed with other keys', async () => {
    const other = await startOzEmulator();
    const emulator = await startOzEmulator();
    try {
      const answer = await submit(emulator, { token: await other.issueToken() });

      expect(answer).toEqual({ status: 400, body: { error_code: 14, error_message: 'Invalid request data', details: null } });
    } finally {
      await Promise.all([other.close(), emulator.close()]);
    }
  });
});
