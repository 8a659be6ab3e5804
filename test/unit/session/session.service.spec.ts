import { AppError } from '../common/app-error';
import type { OzConfig, SessionConfig } from '../config';
import { OzApiError } from '../oz-api/oz-api.error';
import { FakeClock } from '../../test/fakes/fake-clock';
import { FakeOzApiGateway } from '../../test/fakes/fake-oz-gateway';
import { InMemorySessionStore } from './in-memory-session.store';
import { SessionService } from './session.service';

const OZ = { sessionTtlSeconds: 900 } as OzConfig;
const SESSIONS: SessionConfig = { resultTtlSeconds: 3_600, bestShotTtlSeconds: 600 };

describe('SessionService.create', () => {
  let gateway: FakeOzApiGateway;
  let store: InMemorySessionStore;
  let clock: FakeClock;
  let service: SessionService;

  beforeEach(() => {
    gateway = new FakeOzApiGateway();
    store = new InMemorySessionStore(SESSIONS);
    clock = new FakeClock();
    service = new SessionService(gateway, store, clock, OZ, SESSIONS);
  });
  afterEach(() => store.onApplicationShutdown());

  it('uses the token expiry when Oz gives one, and stores an open session without the token', async () => {
    const expiresAt = new Date(clock.now().getTime() + 120_000);
    gateway.answer('issueSessionToken', { token: 'tok-1', expiresAt });

    const created = await service.create('subject-1', 'req-1');

    expect(created).toEqual({ sessionId: expect.any(String), sessionToken: 'tok-1', expiresAt: expiresAt.toISOString() });
    const stored = await store.get(created.sessionId, clock.now());
    expect(stored).toMatchObject({ subjectId: 'subject-1', status: 'open', expiresAt });
    expect(JSON.stringify(stored)).not.toContain('tok-1');
  });

  it('falls back to OZ_SESSION_TTL_SECONDS when the token carries no expiry', async () => {
    gateway.answer('issueSessionToken', { token: 'opaque', expiresAt: null });

    const created = await service.create(null, 'req-2');

    expect(created.expiresAt).toBe(new Date(clock.now().getTime() + 900_000).toISOString());
  });

  it('refuses with 503 SERVICE_BUSY and Retry-After when the store is full of sessions it must keep', async () => {
    gateway.answer('issueSessionToken', { token: 'tok-2', expiresAt: null });
    jest.spyOn(store, 'create').mockResolvedValueOnce(false);

    const error = await service.create(null, 'req-3').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'SERVICE_BUSY', status: 503, retryable: true, retryAfterSeconds: 30 });
  });

  it('turns an Oz failure into the upstream problem and stores nothing', async () => {
    gateway.fail('issueSessionToken', new OzApiError('timeout', null, null, 'late'));

    const error = await service.create(null, 'req-4').catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', status: 504 });
  });
});
