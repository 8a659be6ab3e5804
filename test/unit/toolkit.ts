import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import { BodyLimits } from '../../src/admission/body-limits';
import { toProblem, type ProblemBody } from '../../src/common/problem';
import type { LimitsConfig, OzConfig, SessionsConfig } from '../../src/config';
import { ContainerReceiver } from '../../src/liveness/container-receiver';
import { UploadBudget } from '../../src/admission/upload-budget';
import { UploadMeters } from '../../src/admission/upload-meter';
import { ReceiptSigner } from '../../src/receipts/receipt-signer';
import { InMemorySessionStore } from '../../src/session/in-memory-session.store';
import { type SessionEvent, SessionEvents } from '../../src/session/session-events';
import { SessionLifecycle } from '../../src/session/session-lifecycle';
import { FakeClock } from '../fakes/fake-clock';

export const OZ = { sessionTtlSeconds: 900, timeoutMs: 60_000 } as OzConfig;
export const SESSIONS: SessionsConfig = { resultTtlSeconds: 86_400, bestShotTtlSeconds: 600 };
export const LIMITS: LimitsConfig = {
  maxContainerBytes: 1_048_576,
  maxImageBytes: 524_288,
  maxInflightUploadBytes: 8_388_608,
  maxInflightUploadBytesPerAddress: 8_388_608,
  minUploadBytesPerSecond: 32_768,
  maxReferencePixels: 40_000_000,
};
export const SESSION_TTL_MS = OZ.sessionTtlSeconds * 1000;

const SIGNING_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export interface SessionsKit {
  clock: FakeClock;
  store: InMemorySessionStore;
  lifecycle: SessionLifecycle;
  receipts: ReceiptSigner;
  /** Every event the lifecycle published, in order. */
  published: SessionEvent[];
  close(): void;
}

/** The real session lifecycle on the in-memory store, with a fake clock and a receipt key of its own. */
export async function sessionsKit(clock = new FakeClock()): Promise<SessionsKit> {
  const store = new InMemorySessionStore(SESSIONS, clock);
  const events = new SessionEvents();
  const published: SessionEvent[] = [];
  events.subscribe((event) => void published.push(event));
  const receipts = new ReceiptSigner({ signingKeyPem: SIGNING_KEY, issuer: 'test-issuer' });
  await receipts.onModuleInit();
  const lifecycle = new SessionLifecycle(store, clock, events, receipts, OZ, SESSIONS);
  return { clock, store, lifecycle, receipts, published, close: () => store.onApplicationShutdown() };
}

export function containerReceiver(limits: LimitsConfig = LIMITS): ContainerReceiver {
  return new ContainerReceiver(new UploadMeters(new UploadBudget(limits), limits, 10_000), new BodyLimits(limits));
}

/** A request body as the socket delivers it: these chunks, in order. */
export function bodyOf(...chunks: Buffer[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}

/** What the client is told for a thrown value: the body the problem filter writes. */
export function problemOf(thrown: unknown): ProblemBody {
  return toProblem(thrown, 'req-test').body;
}
