import { createHash } from 'node:crypto';
import { AttemptLimits } from '../../../src/attempts/attempt-limits';
import { InMemoryAttemptLedger } from '../../../src/attempts/in-memory-attempt-ledger';
import { AppError } from '../../../src/common/app-error';
import type { RateLimitsConfig, RedisConfig } from '../../../src/config';
import { OzApiError } from '../../../src/oz-api/oz-api.error';
import { RateLimits } from '../../../src/rate-limits/rate-limits';
import type { RedisConnection } from '../../../src/redis/redis.connection';
import { SessionService } from '../../../src/session/session.service';
import { FakeOzApiGateway } from '../../fakes/fake-oz-gateway';
import { problemOf, sessionsKit, type SessionsKit } from '../toolkit';

const NO_REDIS = { enabled: false } as RedisConnection;
const NO_ATTEMPT_LIMIT = new AttemptLimits(new InMemoryAttemptLedger({ limit: 0, windowMs: 1 }), { limit: 0, windowSeconds: 1 });
/** A subjectId the browser sent: not vouched for. */
const browserSaid = (subjectId: string | null) => ({ subjectId, subjectVerified: false });
const REDIS = { keyPrefix: 'test:' } as RedisConfig;

function limits(sessionsPerSubjectPerHour = 0): RateLimits {
  const config: RateLimitsConfig = { sessionsPerAddressPerMinute: 0, sessionsPerSubjectPerHour };
  return new RateLimits(config, REDIS, NO_REDIS);
}

describe('SessionService.create', () => {
  let gateway: FakeOzApiGateway;
  let kit: SessionsKit;
  let service: SessionService;

  beforeEach(async () => {
    gateway = new FakeOzApiGateway();
    kit = await sessionsKit();
    service = new SessionService(gateway, kit.lifecycle, limits(), NO_ATTEMPT_LIMIT);
  });
  afterEach(() => kit.close());

  it('uses the token expiry when Oz gives one, and stores an open session with the token’s SHA-256 only', async () => {
    const expiresAt = new Date(kit.clock.now().getTime() + 120_000);
    gateway.answer('issueSessionToken', { token: 'tok-1', expiresAt });

    const created = await service.create(browserSaid('subject-1'), 'req-1');

    expect(created).toEqual({ sessionId: expect.any(String), sessionToken: 'tok-1', expiresAt: expiresAt.toISOString() });
    const stored = await kit.store.get(created.sessionId, kit.clock.now());
    expect(stored).toMatchObject({ subjectId: 'subject-1', status: 'open', expiresAt, tokenSha256: createHash('sha256').update('tok-1').digest('hex') });
    expect(JSON.stringify(stored)).not.toContain('tok-1');
    expect(gateway.calls.issueSessionToken[0].ctx).toEqual({ requestId: 'req-1' });
  });

  it('falls back to OZ_SESSION_TTL_SECONDS when the token carries no expiry', async () => {
    gateway.answer('issueSessionToken', { token: 'opaque', expiresAt: null });

    const created = await service.create(browserSaid(null), 'req-2');

    expect(created.expiresAt).toBe(new Date(kit.clock.now().getTime() + 900_000).toISOString());
  });

  it('refuses with 503 SERVICE_BUSY and the store’s Retry-After, before asking Oz for a token, when the store is full', async () => {
    jest.spyOn(kit.store, 'room').mockResolvedValueOnce({ available: false, retryAfterSeconds: 120 });

    const error = await service.create(browserSaid(null), 'req-3').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'SERVICE_BUSY', status: 503, retryable: true, retryAfterSeconds: 120 });
    expect(gateway.callCount).toBe(0);
  });

  it('refuses with 503 SERVICE_BUSY when the store filled between the check and the write', async () => {
    gateway.answer('issueSessionToken', { token: 'tok-2', expiresAt: null });
    jest.spyOn(kit.store, 'create').mockResolvedValueOnce({ available: false, retryAfterSeconds: 30 });

    const error = await service.create(browserSaid(null), 'req-3').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'SERVICE_BUSY', status: 503, retryable: true, retryAfterSeconds: 30 });
  });

  it('turns an Oz failure into the upstream problem and stores nothing', async () => {
    gateway.fail('issueSessionToken', new OzApiError('timeout', null, null, 'late'));
    const created = jest.spyOn(kit.store, 'create');

    const error = await service.create(browserSaid(null), 'req-4').catch((e: unknown) => e);

    expect(problemOf(error)).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
    expect(created).not.toHaveBeenCalled();
  });

  it('publishes session.opened with the stored session', async () => {
    gateway.answer('issueSessionToken', { token: 'tok-5', expiresAt: null });

    const created = await service.create(browserSaid('subject-5'), 'req-5');

    expect(kit.published).toEqual([{ type: 'session.opened', session: expect.objectContaining({ id: created.sessionId, subjectId: 'subject-5' }) }]);
  });
});

describe('SessionService.create with a subject limit', () => {
  let gateway: FakeOzApiGateway;
  let kit: SessionsKit;
  let service: SessionService;

  beforeEach(async () => {
    gateway = new FakeOzApiGateway();
    kit = await sessionsKit();
    service = new SessionService(gateway, kit.lifecycle, limits(2), NO_ATTEMPT_LIMIT);
  });
  afterEach(() => kit.close());

  it('refuses the third session of one subject in an hour with 429 RATE_LIMITED, without asking Oz', async () => {
    gateway.answer('issueSessionToken', { token: 'a', expiresAt: null }, { token: 'b', expiresAt: null });
    await service.create(browserSaid('subject-x'), 'r1');
    await service.create(browserSaid('subject-x'), 'r2');

    const error = await service.create(browserSaid('subject-x'), 'r3').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryable: true });
    expect((error as AppError).retryAfterSeconds).toBeGreaterThan(3500);
    expect(gateway.calls.issueSessionToken).toHaveLength(2);
  });

  it('does not count a session Oz gave no token for', async () => {
    gateway.fail('issueSessionToken', new OzApiError('server', 500, 0, 'x'), new OzApiError('server', 500, 0, 'x'));
    gateway.answer('issueSessionToken', { token: 'a', expiresAt: null }, { token: 'b', expiresAt: null });
    await service.create(browserSaid('subject-y'), 'r1').catch(() => undefined);
    await service.create(browserSaid('subject-y'), 'r2').catch(() => undefined);

    await expect(service.create(browserSaid('subject-y'), 'r3')).resolves.toMatchObject({ sessionToken: 'a' });
    await expect(service.create(browserSaid('subject-y'), 'r4')).resolves.toMatchObject({ sessionToken: 'b' });
  });

  it('limits each subject on its own, and sessions without a subject not at all', async () => {
    gateway.answer('issueSessionToken', ...['a', 'b', 'c', 'd', 'e'].map((token) => ({ token, expiresAt: null })));
    await service.create(browserSaid('subject-1'), 'r1');
    await service.create(browserSaid('subject-1'), 'r2');

    await expect(service.create(browserSaid('subject-2'), 'r3')).resolves.toMatchObject({ sessionToken: 'c' });
    await expect(service.create(browserSaid(null), 'r4')).resolves.toMatchObject({ sessionToken: 'd' });
    await expect(service.create(browserSaid(null), 'r5')).resolves.toMatchObject({ sessionToken: 'e' });
  });
});
