import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { sessionConfig, type SessionConfig } from '../config';
import { SessionStore } from './session.store';
import type { BestShotLookup, SessionFailure, SessionRecord, SessionResult, UploadClaim } from './session.types';

interface Entry {
  session: SessionRecord;
  bestShot: Buffer | null;
}

/** How often expired sessions and best shots are dropped; reads check expiry themselves too. */
const SWEEP_INTERVAL_MS = 5_000;
/**
 * A hard cap so a flood of session requests cannot exhaust memory. When full, the oldest session
 * that never took a container makes room; sessions with an upload or a result are kept until
 * RESULT_TTL_SECONDS, so a full store refuses new sessions rather than lose results.
 */
export const MAX_SESSIONS = 100_000;

/**
 * One replica's store. Single-threaded JavaScript makes every method atomic as long as it does
 * not await in the middle, which is what keeps `claimForUpload` race-free.
 */
@Injectable()
export class InMemorySessionStore extends SessionStore implements OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(@Inject(sessionConfig.KEY) private readonly config: SessionConfig) {
    super();
    this.sweeper = setInterval(() => this.sweep(new Date()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** After the server drained (not onModuleDestroy, which runs first): requests in flight keep their sessions. */
  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  async create(session: SessionRecord): Promise<boolean> {
    if (this.entries.size >= MAX_SESSIONS && !this.evictOldestOpen()) return false;
    this.entries.set(session.id, { session, bestShot: null });
    return true;
  }

  /** Map order is creation order, so the first open session found is the oldest one. */
  private evictOldestOpen(): boolean {
    for (const [id, entry] of this.entries) {
      if (entry.session.status === 'open') return this.entries.delete(id);
    }
    return false;
  }

  async get(id: string, now: Date): Promise<SessionRecord | null> {
    return this.live(id, now)?.session ?? null;
  }

  async claimForUpload(id: string, containerSha256: string, now: Date): Promise<UploadClaim> {
    const session = this.live(id, now)?.session;
    if (!session) return { outcome: 'not-found' };
    switch (session.status) {
      case 'processing':
        return { outcome: 'in-progress' };
      case 'completed':
      case 'failed':
        return session.containerSha256 === containerSha256 ? { outcome: 'replay', session } : { outcome: 'already-used' };
      case 'open':
        if (now >= session.expiresAt) return { outcome: 'expired' };
        Object.assign(session, { status: 'processing', containerSha256 });
        return { outcome: 'claimed' };
    }
  }

  async release(id: string): Promise<void> {
    const session = this.entries.get(id)?.session;
    if (session?.status === 'processing') Object.assign(session, { status: 'open', containerSha256: null });
  }

  async complete(id: string, result: SessionResult, bestShot: Buffer | null): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    const bestShotHeldUntil = new Date(result.completedAt.getTime() + this.config.bestShotTtlSeconds * 1000);
    Object.assign(entry.session, {
      status: 'completed',
      result,
      bestShot: { returned: bestShot !== null, heldUntil: bestShot ? bestShotHeldUntil : null },
    });
    entry.bestShot = bestShot;
  }

  async fail(id: string, failure: SessionFailure): Promise<void> {
    const session = this.entries.get(id)?.session;
    if (session) Object.assign(session, { status: 'failed', failure });
  }

  async updateResult(id: string, result: SessionResult): Promise<void> {
    const session = this.entries.get(id)?.session;
    if (session) session.result = result;
  }

  async getBestShot(id: string, now: Date): Promise<BestShotLookup> {
    const entry = this.live(id, now);
    if (!entry) return { state: 'session-not-found' };
    if (!entry.session.bestShot.returned) return { state: 'none' };
    if (!entry.bestShot) return { state: 'expired' };
    return { state: 'held', bytes: entry.bestShot };
  }

  async isHealthy(): Promise<boolean> {
    return true;
  }

  /** The entry unless purged; drops an expired best shot on the way, so no read can return it. */
  private live(id: string, now: Date): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (now >= entry.session.purgeAt) {
      this.entries.delete(id);
      return undefined;
    }
    const heldUntil = entry.session.bestShot.heldUntil;
    if (entry.bestShot && heldUntil && now >= heldUntil) entry.bestShot = null;
    return entry;
  }

  private sweep(now: Date): void {
    for (const id of this.entries.keys()) this.live(id, now);
  }
}
