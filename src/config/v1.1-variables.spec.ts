import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { OZ, problemsOf } from './config.spec-kit';
import { loadConfiguration } from './index';

const pkcs8 = (curve: string) => generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const P256 = pkcs8('prime256v1');
const DATA_KEY = randomBytes(32).toString('base64');
const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

const named = (lines: string[]) => lines.map((line) => line.split(':')[0]).sort();

describe('the v1.1 variables of docs/api.md §5', () => {
  it('reads a complete Redis, webhook and receipt setup', () => {
    const configuration = loadConfiguration({
      OZ_API_URL: OZ,
      REDIS_URL: 'rediss://user:pass@redis.internal:6380/0',
      REDIS_CLUSTER: 'true',
      REDIS_KEY_PREFIX: 'kyc:',
      DATA_ENCRYPTION_KEY: DATA_KEY,
      RECEIPT_SIGNING_KEY: P256.replace(/\n/g, '\\n'),
      RECEIPT_ISSUER: 'bank-kyc',
      WEBHOOK_URL: 'https://hooks.internal/oz',
      WEBHOOK_SECRET,
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_BACKOFF_MS: '100',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
      RATE_LIMIT_SESSIONS_PER_MINUTE: '0',
      RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR: '5',
      METRICS_PORT: '9100',
      MAX_INFLIGHT_UPLOAD_BYTES: '104857600',
    });

    expect(configuration).toMatchObject({
      redis: { url: 'rediss://user:pass@redis.internal:6380/0', cluster: true, keyPrefix: 'kyc:', dataEncryptionKey: Buffer.from(DATA_KEY, 'base64') },
      receipts: { signingKeyPem: P256, issuer: 'bank-kyc' },
      webhooks: { url: 'https://hooks.internal/oz', secret: WEBHOOK_SECRET, timeoutMs: 2000, maxAttempts: 3, backoffMs: 100 },
      http: { trustProxy: ['10.0.0.0/8', '192.168.1.1'] },
      rateLimits: { sessionsPerAddressPerMinute: 0, sessionsPerSubjectPerHour: 5 },
      metrics: { port: 9100 },
      limits: { maxInflightUploadBytes: 104_857_600 },
    });
  });

  it.each([
    ['true', true],
    ['false', false],
    ['2', 2],
    ['127.0.0.1', ['127.0.0.1']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
  ])('reads TRUST_PROXY=%p as Fastify trustProxy %p', (value, expected) => {
    expect(loadConfiguration({ OZ_API_URL: OZ, TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
  });

  it.each(['yes', '10.0.0.0/33', 'proxy.internal', '1.2.3.4/8/9', '-1'])('refuses TRUST_PROXY=%p', (value) => {
    expect(problemsOf({ TRUST_PROXY: value })).toEqual([expect.stringMatching(/^TRUST_PROXY: /)]);
  });

  it('names both keys that REDIS_URL needs, one line each', () => {
    expect(named(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toEqual(['DATA_ENCRYPTION_KEY', 'RECEIPT_SIGNING_KEY']);
    expect(problemsOf({ REDIS_URL: 'redis://127.0.0.1:6379' }).join('\n')).toMatch(/required when REDIS_URL is set/);
  });

  it('names WEBHOOK_SECRET when WEBHOOK_URL is set without it', () => {
    expect(problemsOf({ WEBHOOK_URL: 'https://hooks.internal' })).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: .*required when WEBHOOK_URL is set/)]);
  });

  it.each([
    ['DATA_ENCRYPTION_KEY', randomBytes(16).toString('base64'), 'a 16-byte key'],
    ['DATA_ENCRYPTION_KEY', 'not base64 at all!', 'not base64'],
    ['RECEIPT_SIGNING_KEY', pkcs8('secp384r1'), 'a P-384 key'],
    ['RECEIPT_SIGNING_KEY', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', 'a PEM that does not parse'],
    ['WEBHOOK_SECRET', randomBytes(32).toString('base64'), 'a secret without whsec_'],
    ['WEBHOOK_SECRET', `whsec_${randomBytes(8).toString('base64')}`, 'a secret of 8 bytes'],
    ['WEBHOOK_SECRET', `whsec_${Buffer.from('\xfb\xff'.repeat(16), 'latin1').toString('base64url')}`, 'URL-safe base64, which the libraries cannot decode'],
    ['REDIS_URL', 'http://redis:6379', 'an http URL'],
    ['REDIS_KEY_PREFIX', '{ozlv}:', 'a prefix that is a hash tag'],
    ['REDIS_CLUSTER', 'yes', 'not a boolean'],
    ['WEBHOOK_URL', 'ftp://hooks', 'not an http(s) URL'],
    ['METRICS_PORT', '3000', 'the same port as PORT'],
    ['MAX_INFLIGHT_UPLOAD_BYTES', '1024', 'less than MAX_CONTAINER_BYTES'],
    ['RATE_LIMIT_SESSIONS_PER_MINUTE', '-1', 'negative'],
    ['WEBHOOK_MAX_ATTEMPTS', '0', 'zero attempts'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', 'OTLP over gRPC'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http/xml', 'an unknown protocol'],
  ])('refuses %s with one line naming it (%s)', (name, value) => {
    // Each bad value in an otherwise complete setup, so that only its own line is expected.
    const companions: Record<string, Record<string, string>> = {
      WEBHOOK_SECRET: { WEBHOOK_URL: 'https://hooks.internal' },
      WEBHOOK_URL: { WEBHOOK_SECRET },
      REDIS_URL: { DATA_ENCRYPTION_KEY: DATA_KEY, RECEIPT_SIGNING_KEY: P256 },
    };
    expect(problemsOf({ ...companions[name], [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });

  it('never echoes a refused key, which is a secret', () => {
    const secret = randomBytes(16).toString('base64');
    const lines = problemsOf({ DATA_ENCRYPTION_KEY: secret, WEBHOOK_URL: 'https://h', WEBHOOK_SECRET: `whsec_${secret}` });

    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('accepts METRICS_PORT=0, a port of the system’s choice', () => {
    expect(problemsOf({ METRICS_PORT: '0' })).toEqual([]);
  });
});
