import { InvalidConfigurationError, loadConfiguration } from './index';

const OZ = 'http://oz-api-instant:8080';

/** Every namespace as the app reads it from this environment. */
function configFrom(env: Record<string, string>) {
  return loadConfiguration(env);
}

/** The lines of the one error that validation throws, or [] when the environment is valid. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfiguration(env);
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    return error.lines;
  }
}

describe('the environment of docs/api.md §5', () => {
  it('applies every default when only OZ_API_URL is set', () => {
    expect(problemsOf({ OZ_API_URL: OZ })).toEqual([]);
    expect(configFrom({ OZ_API_URL: OZ })).toEqual({
      http: { host: '0.0.0.0', port: 3000, internalPort: null, trustProxy: false },
      oz: {
        baseUrl: OZ,
        accessToken: null,
        sessionTokenMethod: 'GET',
        sessionTtlSeconds: 900,
        timeoutMs: 60_000,
        tokenTimeoutMs: 5_000,
        maxConcurrency: 16,
      },
      ozCapacity: { capacity: null, paceMs: 0, queueTimeoutMs: 15_000 },
      limits: {
        maxContainerBytes: 20_971_520,
        maxImageBytes: 10_485_760,
        maxInflightUploadBytes: 268_435_456,
        maxInflightUploadBytesPerAddress: 67_108_864,
        minUploadBytesPerSecond: 32_768,
        maxReferencePixels: 40_000_000,
      },
      sessions: { resultTtlSeconds: 86_400, bestShotTtlSeconds: 600 },
      shutdown: { timeoutMs: 30_000 },
      reviews: { inconclusive: false },
      tracing: { protocol: 'http/protobuf' },
      access: { internalApiKeys: [], corsOrigins: [] },
      logging: { level: 'info' },
      diagnostics: { dir: null },
      redis: { url: null, cluster: false, keyPrefix: 'ozlv:', dataEncryptionKey: null },
      rateLimits: { sessionsPerAddressPerMinute: 60, sessionsPerSubjectPerHour: 10 },
      metrics: { port: 9464 },
      webhooks: { url: null, secret: null, timeoutMs: 5_000, maxAttempts: 8, backoffMs: 5_000 },
      receipts: { signingKeyPem: null, issuer: 'oz-liveness-service' },
      subjects: { jwksUrl: null, publicKeyPem: null, issuer: null, audience: null, required: false },
      attempts: { limit: 5, windowSeconds: 86_400 },
    });
  });

  it('reads every variable when all are set to valid values', () => {
    const env = {
      PORT: '8081',
      OZ_API_URL: 'https://oz.example.com/base/',
      OZ_ACCESS_TOKEN: 'forensic-token',
      OZ_SESSION_TOKEN_METHOD: 'POST',
      OZ_SESSION_TTL_SECONDS: '120',
      OZ_TIMEOUT_MS: '30000',
      OZ_TOKEN_TIMEOUT_MS: '2000',
      OZ_MAX_CONCURRENCY: '4',
      MAX_CONTAINER_BYTES: '1048576',
      MAX_IMAGE_BYTES: '524288',
      INTERNAL_API_KEYS: 'key-one, key-two,,',
      RESULT_TTL_SECONDS: '3600',
      BEST_SHOT_TTL_SECONDS: '60',
      CORS_ORIGINS: 'https://app.example,https://admin.example',
      LOG_LEVEL: 'debug',
      DIAGNOSTICS_DIR: '/var/lib/oz-diagnostics',
    };

    expect(problemsOf(env)).toEqual([]);
    expect(configFrom(env)).toMatchObject({
      oz: {
        baseUrl: 'https://oz.example.com/base',
        accessToken: 'forensic-token',
        sessionTokenMethod: 'POST',
        sessionTtlSeconds: 120,
        timeoutMs: 30_000,
        tokenTimeoutMs: 2_000,
        maxConcurrency: 4,
      },
      limits: { maxContainerBytes: 1_048_576, maxImageBytes: 524_288 },
      sessions: { resultTtlSeconds: 3_600, bestShotTtlSeconds: 60 },
      http: { port: 8081 },
      access: { internalApiKeys: ['key-one', 'key-two'], corsOrigins: ['https://app.example', 'https://admin.example'] },
      logging: { level: 'debug' },
      diagnostics: { dir: '/var/lib/oz-diagnostics' },
    });
  });

  it('treats an empty value as unset, like a blank line in an .env file', () => {
    expect(problemsOf({ OZ_API_URL: OZ, PORT: '', OZ_MAX_CONCURRENCY: '' })).toEqual([]);
    expect(configFrom({ OZ_API_URL: OZ, PORT: '', OZ_MAX_CONCURRENCY: '' })).toMatchObject({ http: { port: 3000 }, oz: { maxConcurrency: 16 } });
  });

  it.each(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])('accepts LOG_LEVEL=%s', (level) => {
    expect(problemsOf({ OZ_API_URL: OZ, LOG_LEVEL: level })).toEqual([]);
  });

  it.each(['http://localhost:8080', 'http://10.0.0.7', 'https://oz-api-instant', 'http://oz:8080/api-prefix'])('accepts OZ_API_URL=%s', (url) => {
    expect(problemsOf({ OZ_API_URL: url })).toEqual([]);
  });

  it('names a missing OZ_API_URL as required', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^OZ_API_URL: .*required/)]);
  });

  const NUMERIC = [
    'OZ_SESSION_TTL_SECONDS',
    'OZ_TIMEOUT_MS',
    'OZ_TOKEN_TIMEOUT_MS',
    'OZ_MAX_CONCURRENCY',
    'MAX_CONTAINER_BYTES',
    'MAX_IMAGE_BYTES',
    'RESULT_TTL_SECONDS',
    'BEST_SHOT_TTL_SECONDS',
    'SHUTDOWN_TIMEOUT_MS',
  ];
  const BAD_NUMBERS = ['abc', '0', '-5', '1.5', '10abc', '1e3', '0x10'];

  describe.each(NUMERIC)('%s', (name) => {
    it.each(BAD_NUMBERS)(`is refused as %p with one line naming ${name}`, (value) => {
      expect(problemsOf({ OZ_API_URL: OZ, [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
    });

    it('accepts 1, the smallest meaningful value', () => {
      expect(problemsOf({ OZ_API_URL: OZ, [name]: '1' })).toEqual([]);
    });
  });

  it('waits at most 30 s for a shutdown unless SHUTDOWN_TIMEOUT_MS says otherwise (§18)', () => {
    expect(configFrom({ OZ_API_URL: OZ })).toMatchObject({ shutdown: { timeoutMs: 30_000 } });
    expect(configFrom({ OZ_API_URL: OZ, SHUTDOWN_TIMEOUT_MS: '5000' })).toMatchObject({ shutdown: { timeoutMs: 5_000 } });
  });

  it.each(['abc', '-1', '65536', '80.5'])('refuses PORT=%p with one line naming PORT', (value) => {
    expect(problemsOf({ OZ_API_URL: OZ, PORT: value })).toEqual([expect.stringMatching(/^PORT: /)]);
  });

  it.each(['ftp://oz.example', 'oz-api-instant:8080', 'not a url', 'file:///etc/passwd', 'http://'])('refuses OZ_API_URL=%p as not an http(s) URL', (value) => {
    expect(problemsOf({ OZ_API_URL: value })).toEqual([expect.stringMatching(/^OZ_API_URL: .*http\(s\)/)]);
  });

  it.each([
    ['OZ_SESSION_TOKEN_METHOD', 'PUT'],
    ['OZ_SESSION_TOKEN_METHOD', 'DELETE'],
    ['LOG_LEVEL', 'loud'],
    ['LOG_LEVEL', 'verbose'],
  ])('refuses the unknown enum value %s=%p', (name, value) => {
    expect(problemsOf({ OZ_API_URL: OZ, [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: must be `))]);
  });

  it.each(['https://app.example/', 'app.example', 'https://app.example,ftp://files.example', 'https://app.example/login'])(
    'refuses CORS_ORIGINS=%p, which no browser Origin header could ever match',
    (value) => {
      expect(problemsOf({ OZ_API_URL: OZ, CORS_ORIGINS: value })).toEqual([expect.stringMatching(/^CORS_ORIGINS: /)]);
    },
  );

  it('accepts CORS origins with a port', () => {
    expect(problemsOf({ OZ_API_URL: OZ, CORS_ORIGINS: 'http://localhost:5173,https://app.example' })).toEqual([]);
  });

  it('names every bad variable in one error, one line each', () => {
    const lines = problemsOf({
      PORT: 'abc',
      OZ_SESSION_TOKEN_METHOD: 'PUT',
      OZ_SESSION_TTL_SECONDS: '0',
      OZ_TIMEOUT_MS: '-1',
      OZ_TOKEN_TIMEOUT_MS: 'soon',
      OZ_MAX_CONCURRENCY: '0',
      MAX_CONTAINER_BYTES: '-5',
      MAX_IMAGE_BYTES: '0',
      RESULT_TTL_SECONDS: '1.5',
      BEST_SHOT_TTL_SECONDS: 'x',
      LOG_LEVEL: 'loud',
    });

    const named = lines.map((line) => line.split(':')[0]).sort();
    expect(named).toEqual(
      [
        'OZ_API_URL',
        'PORT',
        'OZ_SESSION_TOKEN_METHOD',
        'OZ_SESSION_TTL_SECONDS',
        'OZ_TIMEOUT_MS',
        'OZ_TOKEN_TIMEOUT_MS',
        'OZ_MAX_CONCURRENCY',
        'MAX_CONTAINER_BYTES',
        'MAX_IMAGE_BYTES',
        'RESULT_TTL_SECONDS',
        'BEST_SHOT_TTL_SECONDS',
        'LOG_LEVEL',
      ].sort(),
    );
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
  });

  it('never echoes a refused value, which may be a secret (a URL with credentials)', () => {
    const lines = problemsOf({ OZ_API_URL: 'ftp://svc:hunter2-secret@oz.example', LOG_LEVEL: 'hunter3-secret' });

    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toMatch(/hunter\d-secret/);
  });

  it('reads the environment it is given, not the process environment', () => {
    const saved = process.env.OZ_MAX_CONCURRENCY;
    process.env.OZ_MAX_CONCURRENCY = '0';
    try {
      expect(problemsOf({ OZ_API_URL: OZ })).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.OZ_MAX_CONCURRENCY;
      else process.env.OZ_MAX_CONCURRENCY = saved;
    }
  });
});
