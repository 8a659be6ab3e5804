import { generateKeyPairSync } from 'node:crypto';
import { OZ, problemsOf } from './config.spec-kit';
import { loadConfiguration } from './index';

const spki = (key: ReturnType<typeof generateKeyPairSync>['publicKey']) => key.export({ type: 'spki', format: 'pem' }).toString();
const RSA = spki(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey);
const P256 = spki(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey);
const ED25519 = spki(generateKeyPairSync('ed25519').publicKey);
const P384 = spki(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey);
const ISSUED = { SUBJECT_JWT_ISSUER: 'https://id.example', SUBJECT_JWT_AUDIENCE: 'oz-liveness' };

const named = (lines: string[]) => lines.map((line) => line.split(':')[0]).sort();

describe('the trusted-subject and attempt variables of docs/api.md §14', () => {
  it('reads a JWKS setup with the attempt limit', () => {
    const configuration = loadConfiguration({
      OZ_API_URL: OZ,
      SUBJECT_JWKS_URL: 'https://id.example/.well-known/jwks.json',
      ...ISSUED,
      SUBJECT_REQUIRED: 'true',
      ATTEMPT_LIMIT: '3',
      ATTEMPT_WINDOW_SECONDS: '21600',
    });

    expect(configuration).toMatchObject({
      subjects: {
        jwksUrl: 'https://id.example/.well-known/jwks.json',
        publicKeyPem: null,
        issuer: 'https://id.example',
        audience: 'oz-liveness',
        required: true,
      },
      attempts: { limit: 3, windowSeconds: 21_600 },
    });
  });

  it.each([
    ['RSA', RSA],
    ['EC P-256', P256],
    ['Ed25519', ED25519],
  ])('reads an %s public key, with newlines written as \\n', (_, pem) => {
    const configuration = loadConfiguration({ OZ_API_URL: OZ, SUBJECT_JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n'), ...ISSUED });

    expect(configuration.subjects.publicKeyPem).toBe(pem);
  });

  it('accepts ATTEMPT_LIMIT=0, which turns the limit off', () => {
    expect(problemsOf({ ATTEMPT_LIMIT: '0' })).toEqual([]);
  });

  it.each(['SUBJECT_JWKS_URL', 'SUBJECT_JWT_PUBLIC_KEY'])('names the issuer and the audience when %s is set without them', (source) => {
    const value = source === 'SUBJECT_JWKS_URL' ? 'https://id.example/jwks' : P256;

    const lines = problemsOf({ [source]: value });

    expect(named(lines)).toEqual(['SUBJECT_JWT_AUDIENCE', 'SUBJECT_JWT_ISSUER']);
    expect(lines.join('\n')).toMatch(/required when SUBJECT_JWKS_URL or SUBJECT_JWT_PUBLIC_KEY is set/);
  });

  it('refuses both key sources at once', () => {
    expect(problemsOf({ SUBJECT_JWKS_URL: 'https://id.example/jwks', SUBJECT_JWT_PUBLIC_KEY: P256, ...ISSUED })).toEqual([
      expect.stringMatching(/^SUBJECT_JWKS_URL: must not be set together with SUBJECT_JWT_PUBLIC_KEY/),
    ]);
  });

  it.each([
    ['SUBJECT_JWKS_URL', 'ftp://id.example/jwks', 'not an http(s) URL'],
    ['SUBJECT_JWT_PUBLIC_KEY', P384, 'a P-384 key, which ES256 cannot use'],
    ['SUBJECT_JWT_PUBLIC_KEY', 'not a key', 'not a PEM'],
    ['SUBJECT_REQUIRED', 'yes', 'not a boolean'],
    ['ATTEMPT_LIMIT', '-1', 'negative'],
    ['ATTEMPT_WINDOW_SECONDS', '0', 'an empty window'],
  ])('refuses %s with one line naming it (%s)', (name, value) => {
    expect(problemsOf({ ...ISSUED, [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });
});
