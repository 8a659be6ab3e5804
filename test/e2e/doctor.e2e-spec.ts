import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { type OzEmulator, startOzEmulator } from '../oz-emulator';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { DOCTOR, ensureBuilt, runToExit } from './ops.helpers';

jest.setTimeout(60_000);

beforeAll(() => ensureBuilt());

const RECEIPT_SIGNING_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** Redis as docs/reliability.md asks for it. */
const GOOD_REDIS = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--maxmemory-policy', 'noeviction'];

/** `node dist/doctor.js`: its exit code and its lines as [status, check]. */
async function doctor(env: Record<string, string>, args: string[] = []) {
  const run = await runToExit(env, DOCTOR, args);
  const lines = run.stdout.split('\n').filter((line) => line.length > 0);
  const parsed = lines.map((line) => /^(ok|warn|fail) +([\w.-]+): (.+)$/.exec(line));
  expect(parsed.filter((match) => match === null)).toEqual([]);
  return {
    code: run.code,
    stderr: run.stderr,
    checks: parsed.map((match) => [match![1], match![2]]),
    message: (check: string) => parsed.find((match) => match![2] === check)?.[3],
  };
}

/** Contract §17: the diagnostics, against the emulator, real Redis servers and a webhook receiver. */
describe('npm run doctor (node dist/doctor.js)', () => {
  let emulator: OzEmulator;
  let receiver: WebhookReceiver;
  let redis: RedisServer;

  beforeAll(async () => {
    [emulator, receiver, redis] = await Promise.all([startOzEmulator(), startWebhookReceiver(), startRedisServer({ args: GOOD_REDIS })]);
  });
  afterAll(async () => {
    await Promise.all([emulator?.close(), receiver?.close(), redis?.stop()]);
  });

  const production = (extra: Record<string, string> = {}) => ({
    OZ_API_URL: emulator.url,
    INTERNAL_API_KEYS: 'doctor-test-key',
    REDIS_URL: redis.url,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    RECEIPT_SIGNING_KEY,
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: receiver.secret,
    SHUTDOWN_TIMEOUT_MS: '65000',
    ...extra,
  });

  it('passes every check of a sound setup, exit 0, sending one signed webhook.test event and leaving Redis as it was', async () => {
    const before = receiver.requests().length;

    const run = await doctor(production(), ['--webhook']);

    expect(run.code).toBe(0);
    expect(run.checks).toEqual([
      ['ok', 'config'],
      ['ok', 'oz.reachable'],
      ['ok', 'oz.version'],
      ['ok', 'oz.clock'],
      ['ok', 'oz.session-token'],
      ['ok', 'oz.empty-upload'],
      ['ok', 'redis.reachable'],
      ['ok', 'redis.version'],
      ['ok', 'redis.maxmemory-policy'],
      ['ok', 'redis.persistence'],
      ['ok', 'redis.mode'],
      ['ok', 'redis.access'],
      ['ok', 'receipts.key'],
      ['ok', 'webhook'],
    ]);
    expect(run.message('oz.version')).toContain('6.6.1-emulator');
    expect(run.message('oz.session-token')).toMatch(/expires in (89\d|900) s/);
    const sent = receiver.requests().slice(before);
    expect(sent.map((request) => [request.verificationError, request.payload?.type])).toEqual([[null, 'webhook.test']]);
    const admin = new Redis(redis.url);
    try {
      expect(await admin.dbsize()).toBe(0);
    } finally {
      admin.disconnect();
    }
    expect(run.stderr).toBe('');
  });

  it('fails, exit 1, on a Redis that evicts keys, and warns that one without persistence loses events', async () => {
    const careless = await startRedisServer({ args: ['--maxmemory-policy', 'allkeys-lru'] });
    try {
      const run = await doctor(production({ REDIS_URL: careless.url }));

      expect(run.code).toBe(1);
      expect(run.checks).toContainEqual(['fail', 'redis.maxmemory-policy']);
      expect(run.message('redis.maxmemory-policy')).toContain('set maxmemory-policy noeviction');
      expect(run.checks).toContainEqual(['warn', 'redis.persistence']);
      expect(run.message('redis.persistence')).toContain('does not persist');
    } finally {
      await careless.stop();
    }
  });

  it('warns that snapshots alone lose what came after the last one', async () => {
    const snapshots = await startRedisServer({ args: ['--save', '3600 1', '--maxmemory-policy', 'noeviction'] });
    try {
      const run = await doctor(production({ REDIS_URL: snapshots.url }));

      expect(run.code).toBe(0);
      expect(run.checks).toContainEqual(['warn', 'redis.persistence']);
      expect(run.message('redis.persistence')).toContain('snapshots only');
    } finally {
      await snapshots.stop();
    }
  });

  it('fails, exit 1, when the Redis of REDIS_URL does not answer', async () => {
    const run = await doctor(production({ REDIS_URL: 'redis://127.0.0.1:9' }));

    expect(run.code).toBe(1);
    expect(run.checks).toContainEqual(['fail', 'redis.reachable']);
  });

  it('says GET /api/version is not offered by an Oz that answers it 404, and passes', async () => {
    const quiet = await startOzEmulator({ offersVersion: false });
    try {
      const run = await doctor(production({ OZ_API_URL: quiet.url }));

      expect(run.code).toBe(0);
      expect(run.checks).toContainEqual(['ok', 'oz.version']);
      expect(run.message('oz.version')).toContain('not offered');
    } finally {
      await quiet.close();
    }
  });

  it('fails, exit 1, with one line when Oz cannot be reached, naming the variable to check', async () => {
    const run = await doctor(production({ OZ_API_URL: 'http://127.0.0.1:9' }));

    expect(run.code).toBe(1);
    expect(run.checks.filter(([, check]) => check.startsWith('oz.'))).toEqual([['fail', 'oz.reachable']]);
    expect(run.message('oz.reachable')).toContain('OZ_API_URL');
  });

  it('fails, exit 1, when Oz refuses the access token', async () => {
    const guarded = await startOzEmulator({ accessToken: 'the-right-token' });
    try {
      const run = await doctor(production({ OZ_API_URL: guarded.url, OZ_ACCESS_TOKEN: 'a-wrong-token' }));

      expect(run.code).toBe(1);
      expect(run.checks).toContainEqual(['fail', 'oz.session-token']);
      expect(run.message('oz.session-token')).toContain('HTTP 401, code 7');
      expect(run.stderr + run.message('oz.session-token')).not.toContain('a-wrong-token');
    } finally {
      await guarded.close();
    }
  });

  it('fails, exit 1, when the webhook receiver refuses our signature', async () => {
    receiver.answer((request) => ({ status: request.verificationError === null ? 204 : 401 }));
    try {
      const run = await doctor(production({ WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}` }), ['--webhook']);

      expect(run.code).toBe(1);
      expect(run.checks).toContainEqual(['fail', 'webhook']);
      expect(run.message('webhook')).toContain('HTTP 401');
    } finally {
      receiver.answer(() => ({ status: 204 }));
    }
  });

  it('names every bad variable and checks nothing else, exit 1', async () => {
    const run = await doctor({ OZ_API_URL: 'ftp://oz', OZ_TIMEOUT_MS: '0' });

    expect(run.code).toBe(1);
    expect(run.checks.map(([status, check]) => [status, check])).toEqual([
      ['fail', 'config'],
      ['fail', 'config'],
    ]);
    expect(run.message('config')).toMatch(/^(OZ_API_URL|OZ_TIMEOUT_MS): /);
  });

  it('warns, exit 0, about what a valid configuration still gets wrong', async () => {
    const run = await doctor({ OZ_API_URL: emulator.url });

    expect(run.code).toBe(0);
    expect(run.checks).toEqual(
      expect.arrayContaining([
        ['warn', 'config.api-keys'],
        ['warn', 'config.shutdown'],
        ['ok', 'store'],
        ['warn', 'receipts.key'],
        ['ok', 'webhook'],
      ]),
    );
  });
});
