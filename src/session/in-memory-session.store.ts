import { Inject, Injectable, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { sessionsConfig, type SessionsConfig } from '../config';
import { Clock, SystemClock } from './clock';
import { copyRecord } from './record-copy';
import { SessionStore } from './session.store';
import type { BestShotHold, BestShotLookup, SessionFailure, SessionRecord, SessionResult, StoredStatus, StoreRoom, UploadClaim, UploadLease } from './session.types';

interface Entry {
  session: SessionRecord;
  bestShot: Buffer | null;
}

/** How often purged sessions and expired best shots are dropped; reads check both themselves too. */
const SWEEP_INTERVAL_MS = 5_000;
/** A hard cap so that a flood of session requests cannot exhaust memory. */
export const MAX_SESSIONS = 100_000;
/**
 * The bytes of best shots held at once. The session cap alone would let them reach gigabytes
 * (a best shot is commonly 50–200 KB, and one is held per accepted upload for
 * BEST_SHOT_TTL_SECONDS); past this, the oldest held best shot is let go early.
 */
export const MAX_HELD_BEST_SHOT_BYTES = 256 * 1024 * 1024;

export interface InMemoryStoreOptions {
  maxSessions?: number;
  maxBestShotBytes?: number;
}
/** Optional provider of InMemoryStoreOptions: tests fill a small store. */
export const IN_MEMORY_STORE_OPTIONS = Symbol('IN_MEMORY_STORE_OPTIONS');

/**
 * One replica's store. Single-threaded JavaScript makes every method atomic as long as it does
 * not await in the middle, which is what keeps `claimForUpload` race-free.
 *
 * Capacity: when MAX_SESSIONS are stored, a new session takes the place of the oldest `open`
 * one (never claimed; most are past their token's expiry), else of the oldest `failed` one (kept
 * only to answer a retry of the same bytes, which then gets 404). `processing` and `completed`
 * sessions are never evicted: internal services read every result until RESULT_TTL_SECONDS.
 * When only those are left, the store refuses until the oldest is purged. So a flood of sessions
 * cannot lock the store, and room() and create() are O(1): each status keeps its sessions in
 * insertion order, and `entries` keeps creation order, which is purge order (purgeAt =
 * createdAt + RESULT_TTL_SECONDS).
 *
 * Best shots: at most MAX_HELD_BEST_SHOT_BYTES are held. A new one that would pass it lets the
 * oldest held ones go first (they were due to expire first anyway); from then on their sessions
 * answer as after BEST_SHOT_TTL_SECONDS (`bestShotAvailable: false`, 410). One larger than the
 * whole cap is not held at all.
 */
@Injectable()
export class InMemorySessionStore extends SessionStore implements OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private readonly byStatus: Record<StoredStatus, Set<string>> = { open: new Set(), processing: new Set(), completed: new Set(), failed: new Set() };
  /** Sessions whose best shot bytes are held, in completion order, which is hold-expiry order. */
  private readonly heldBestShots = new Set<string>();
  private heldBestShotBytes = 0;
  private readonly letGoListeners: (() => void)[] = [];
  private readonly maxSessions: number;
  private readonly maxBestShotBytes: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    @Inject(sessionsConfig.KEY) private readonly config: SessionsConfig,
    @Optional() private readonly clock: Clock = new SystemClock(),
    @Optional() @Inject(IN_MEMORY_STORE_OPTIONS) options: InMemoryStoreOptions = {},
  ) {
    super();
    this.maxSessions = options.maxSessions ?? MAX_SESSIONS;
    this.maxBestShotBytes = options.maxBestShotBytes ?? MAX_HELD_BEST_SHOT_BYTES;
    this.sweeper = setInterval(() => this.sweep(this.clock.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  /** After the server drained (not onModuleDestroy, which runs first): requests in flight keep their sessions. */
  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
  }

  async room(): Promise<StoreRoom> {
    return this.roomNow();
  }

  async create(session: SessionRecord): Promise<StoreRoom> {
    // Ids are random UUIDs: a second session under one id is a defect, not a full store.
    if (this.entries.has(session.id)) throw new Error('A session with this id is already stored');
    const room = this.roomNow();
    if (!room.available) return room;
    if (this.entries.size >= this.maxSessions) this.evictOne();
    const stored = copyRecord(session);
    this.entries.set(stored.id, { session: stored, bestShot: null });
    this.byStatus[stored.status].add(stored.id);
    return room;
  }

  async get(id: string, now: Date): Promise<SessionRecord | null> {
    const entry = this.live(id, now);
    return entry ? present(entry.session, now) : null;
  }

  async claimForUpload(id: string, containerSha256: string, now: Date, lease: UploadLease): Promise<UploadClaim> {
    const entry = this.live(id, now);
    if (!entry) return { outcome: 'not-found' };
    const session = entry.session;
    const status = present(session, now).status;
    if (status === 'completed' || status === 'failed') {
      return session.containerSha256 === containerSha256 ? { outcome: 'replay', session: present(session, now) } : { outcome: 'already-used' };
    }
    if (now >= session.expiresAt) return { outcome: 'expired' };
    if (status === 'processing') return { outcome: 'in-progress' };
    this.moveTo(entry, 'processing');
    Object.assign(session, { lease: copyRecord(lease), containerSha256 });
    return { outcome: 'claimed', lease: copyRecord(lease) };
  }

  async release(id: string, claimId: string): Promise<void> {
    const entry = this.claimedBy(id, claimId);
    if (!entry) return;
    this.moveTo(entry, 'open');
    Object.assign(entry.session, { lease: null, containerSha256: null });
  }

  async complete(id: string, claimId: string, result: SessionResult, bestShot: Buffer | null): Promise<BestShotHold | null> {
    const entry = this.claimedBy(id, claimId);
    if (!entry) return null;
    const fits = bestShot !== null && this.makeRoomFor(bestShot.length);
    if (bestShot && !fits) this.letGo();
    // One that cannot be held counts as let go the moment it was returned.
    const heldUntil = bestShot ? new Date(result.completedAt.getTime() + (fits ? this.config.bestShotTtlSeconds * 1000 : 0)) : null;
    const hold = { returned: bestShot !== null, heldUntil };
    this.moveTo(entry, 'completed');
    Object.assign(entry.session, { lease: null, result: copyRecord(result), bestShot: { ...hold } });
    if (fits) this.hold(entry, Buffer.from(bestShot));
    return hold;
  }

  async fail(id: string, claimId: string, failure: SessionFailure): Promise<boolean> {
    const entry = this.claimedBy(id, claimId);
    if (!entry) return false;
    this.moveTo(entry, 'failed');
    Object.assign(entry.session, { lease: null, failure: copyRecord(failure) });
    return true;
  }

  async recordBiometry(id: string, result: SessionResult, now: Date): Promise<boolean> {
    const entry = this.live(id, now);
    if (entry?.session.status !== 'completed') return false;
    entry.session.result = copyRecord(result);
    return true;
  }

  async getBestShot(id: string, now: Date): Promise<BestShotLookup> {
    const entry = this.live(id, now);
    if (!entry) return { state: 'session-not-found' };
    if (!entry.session.bestShot.returned) return { state: 'none' };
    if (!entry.bestShot) return { state: 'expired' };
    return { state: 'held', bytes: Buffer.from(entry.bestShot) };
  }

  async isHealthy(): Promise<boolean> {
    return true;
  }

  override onBestShotLetGoEarly(listener: () => void): void {
    this.letGoListeners.push(listener);
  }

  /** room() has no `now`: the store's clock decides which sessions are due for purge and the wait. */
  private roomNow(): StoreRoom {
    const now = this.clock.now();
    this.purgeDue(now);
    if (this.entries.size < this.maxSessions || this.byStatus.open.size > 0 || this.byStatus.failed.size > 0) return { available: true };
    const oldest = first(this.entries.values())!;
    return { available: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest.session.purgeAt.getTime() - now.getTime()) / 1000)) };
  }

  private evictOne(): void {
    const id = first(this.byStatus.open.values()) ?? first(this.byStatus.failed.values());
    if (id !== undefined) this.drop(id);
  }

  /** The entry while `claimId` holds it (complete, fail and release take no `now`: a lapsed lease nobody took over still counts). */
  private claimedBy(id: string, claimId: string): Entry | undefined {
    const entry = this.entries.get(id);
    return entry?.session.status === 'processing' && entry.session.lease?.claimId === claimId ? entry : undefined;
  }

  private moveTo(entry: Entry, status: StoredStatus): void {
    this.byStatus[entry.session.status].delete(entry.session.id);
    this.byStatus[status].add(entry.session.id);
    entry.session.status = status;
  }

  /** The entry unless purged; drops an expired best shot on the way, so no read can return it. */
  private live(id: string, now: Date): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (now >= entry.session.purgeAt) {
      this.drop(id);
      return undefined;
    }
    const heldUntil = entry.session.bestShot.heldUntil;
    if (entry.bestShot && heldUntil && now >= heldUntil) this.dropBestShot(entry);
    return entry;
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.dropBestShot(entry);
    this.entries.delete(id);
    this.byStatus[entry.session.status].delete(id);
  }

  private hold(entry: Entry, bytes: Buffer): void {
    entry.bestShot = bytes;
    this.heldBestShotBytes += bytes.length;
    this.heldBestShots.add(entry.session.id);
  }

  private dropBestShot(entry: Entry): void {
    if (!entry.bestShot) return;
    this.heldBestShotBytes -= entry.bestShot.length;
    entry.bestShot = null;
    this.heldBestShots.delete(entry.session.id);
  }

  /**
   * Lets the oldest held best shots go until `bytes` more fit under the cap; false when they
   * cannot fit even in an empty store. A best shot let go early reads as expired from now on.
   */
  private makeRoomFor(bytes: number): boolean {
    if (bytes > this.maxBestShotBytes) return false;
    let now: Date | undefined;
    for (const id of this.heldBestShots) {
      if (this.heldBestShotBytes + bytes <= this.maxBestShotBytes) break;
      now ??= this.clock.now();
      const entry = this.entries.get(id)!;
      const heldUntil = entry.session.bestShot.heldUntil!;
      entry.session.bestShot.heldUntil = now < heldUntil ? now : heldUntil;
      this.dropBestShot(entry);
      if (now < heldUntil) this.letGo();
    }
    return true;
  }

  private letGo(): void {
    for (const listener of this.letGoListeners) listener();
  }

  /** From the oldest on, and only while due: the cost is what is dropped, not what is stored. */
  private purgeDue(now: Date): void {
    for (const [id, entry] of this.entries) {
      if (now < entry.session.purgeAt) return;
      this.drop(id);
    }
  }

  private sweep(now: Date): void {
    this.purgeDue(now);
    for (const id of this.heldBestShots) {
      const entry = this.entries.get(id)!;
      if (now < entry.session.bestShot.heldUntil!) return;
      this.dropBestShot(entry);
    }
  }
}

/** A copy as the caller sees it at `now`: a lease at or past its `until` is released. */
function present(session: SessionRecord, now: Date): SessionRecord {
  const copy = copyRecord(session);
  if (copy.status !== 'processing' || (copy.lease && now < copy.lease.until)) return copy;
  return { ...copy, status: 'open', lease: null, containerSha256: null };
}

function first<T>(values: IterableIterator<T>): T | undefined {
  return values.next().value as T | undefined;
}
