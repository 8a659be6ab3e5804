import { randomUUID } from 'node:crypto';
import { API_KEY } from '../app.factory';
import { type OzEmulator, startOzEmulator } from '../oz-emulator';
import { rawUpload } from '../support/abusive-client';
import { MiB, residentBytes, watchPeakRss } from '../support/process-memory';
import { createSession, NO_SESSIONS_TOKEN } from './http';
import { viewSession } from './liveness.helpers';
import { type RunningService, spawnService } from './ops.helpers';

jest.setTimeout(60_000);

const MAX_CONTAINER_BYTES = 20 * MiB;
const BUDGET = 64 * MiB;
const ATTACKERS = 50;

/**
 * The first finding of the attack on the public edge (docs/reliability.md): 50 connections that
 * declare 20 MiB and send nearly all of it exhausted memory. Now a body is read only for a
 * session that exists and is the caller's, memory is taken as bytes arrive, and the bytes of
 * all uploads at once stay within MAX_INFLIGHT_UPLOAD_BYTES. Measured on the built service.
 */
describe('memory under uploads that declare the maximum', () => {
  let emulator: OzEmulator;
  let service: RunningService;

  beforeAll(async () => {
    emulator = await startOzEmulator();
    service = await spawnService({
      OZ_API_URL: emulator.url,
      INTERNAL_API_KEYS: API_KEY,
      MAX_CONTAINER_BYTES: String(MAX_CONTAINER_BYTES),
      MAX_INFLIGHT_UPLOAD_BYTES: String(BUDGET),
      // Each attacker speaks for an address of its own, so that the whole budget, not one address's share, is what refuses.
      TRUST_PROXY: 'true',
    });
  });
  afterAll(async () => {
    await service.stop();
    await emulator.close();
  });

  /** The first requests of a process load and compile code: measure after them, not them. */
  async function warmUp(): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const outcome = await rawUpload({
        url: service.url,
        path: `/v1/sessions/${randomUUID()}/liveness`,
        headers: declared(NO_SESSIONS_TOKEN),
        bodyBytes: MiB,
      });
      outcome.socket.destroy();
    }
  }

  const declared = (token: string) => ({
    'content-type': 'application/octet-stream',
    'content-length': String(MAX_CONTAINER_BYTES),
    authorization: `Bearer ${token}`,
  });

  it('answers 404 at once to 50 uploads of 20 MiB each to unknown sessions, buffering none of them (less than a tenth of the 1000 MiB declared)', async () => {
    await warmUp();
    const before = residentBytes(service.pid);
    const peak = watchPeakRss(service.pid);

    const outcomes = await Promise.all(
      Array.from({ length: ATTACKERS }, () =>
        rawUpload({
          url: service.url,
          path: `/v1/sessions/${randomUUID()}/liveness`,
          headers: declared(NO_SESSIONS_TOKEN),
          bodyBytes: MAX_CONTAINER_BYTES - 1,
        }),
      ),
    );
    const grown = peak.stop() - before;
    for (const outcome of outcomes) outcome.socket.destroy();

    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(ATTACKERS).fill(404));
    expect(outcomes.every((outcome) => /connection: close/i.test(outcome.head))).toBe(true);
    // The bound is GC headroom (Node 24's young generation is larger than Node 20's), not bodies: the fifty bodies buffered would be 1000 MiB.
    expect(grown).toBeLessThan(100 * MiB);
  });

  it('admits only what the budget holds among uploads to real sessions, refuses the rest with 503 before reading, and leaves them open', async () => {
    const sessions = await Promise.all(Array.from({ length: ATTACKERS }, () => createSession(service.url)));
    await warmUp();
    const before = residentBytes(service.pid);
    const peak = watchPeakRss(service.pid);

    // Every client sends 8 MiB of its declared 20 MiB, then stalls: the admitted ones hold memory.
    const outcomes = await Promise.all(
      sessions.map(({ sessionId, sessionToken }, i) =>
        rawUpload({
          url: service.url,
          path: `/v1/sessions/${sessionId}/liveness`,
          headers: { ...declared(sessionToken), 'x-forwarded-for': `198.51.100.${i + 1}` },
          bodyBytes: MAX_CONTAINER_BYTES,
          stallAfter: 8 * MiB,
          timeoutMs: 3_000,
        }),
      ),
    );
    const grown = peak.stop() - before;
    for (const outcome of outcomes) outcome.socket.destroy();

    const refused = outcomes.filter((outcome) => outcome.status === 503);
    const admitted = outcomes.filter((outcome) => outcome.status === 0);
    expect(admitted.length).toBe(Math.floor(BUDGET / MAX_CONTAINER_BYTES));
    expect(refused.length).toBe(ATTACKERS - admitted.length);
    for (const outcome of refused) {
      expect(JSON.parse(outcome.body)).toMatchObject({ status: 503, code: 'SERVICE_BUSY', retryable: true });
      expect(outcome.head).toMatch(/retry-after: \d+/i);
      expect(outcome.ms).toBeLessThan(1_000);
    }
    expect(grown).toBeLessThan(BUDGET + 32 * MiB);
    expect((await viewSession(service.url, sessions[0].sessionId)).body.status).toBe('open');
  });
});
