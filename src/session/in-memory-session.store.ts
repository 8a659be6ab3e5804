import { Inject, Injectable, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { sessionsConfig, type SessionsConfig } from '../config';
import { ArrivalQueue } from '../common/arrival-queue';
import { Clock, SystemClock } from './clock';
import { decodeRecord, encodeRecord } from './record-json';
import { InMemoryReviewQueue } from './review-queue';
import { SessionStore } from './session.store';
import type {
  BestShotHold,
  BestShotLookup,
  ReviewCursor,
  ReviewRecording,
  SessionFailure,
  SessionRecord,
  SessionResult,
  StoredStatus,
  StoreRoom,
  UploadClaim,
  UploadLease,
} from './session.types';

/**
 * A stored session. The record is kept as the bytes of its JSON, off the JavaScript heap: the
 * store holds up to MAX_SESSIONS for RESULT_TTL_SECONDS, and every major GC marks what the heap
 * holds. As objects (two dozen per record: Dates, the result, its checks) they made each upload
 * cost more the fuller the store was (a fifth more CPU per upload at 21 000 sessions: bench/RESULTS.md);
 * as bytes they cost two small objects each. Reads decode a fresh record, so they return copies
 * by construction. What the store's own bookkeeping checks on every read is kept beside it,
 * from the same write.
 */
interface Entry {
  readonly id: string;
  record: Buffer;
  status: StoredStatus;
  /** Changes with every change of status: the place in its status' arrival order. */
  statusStamp: number;
  purgeAt: number;
  /** The best shot's hold (ms), or null when none was returned. */
  heldUntil: number | null;
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
 * cannot lock the store, and room() and create() are O(1) amortized: the open and failed
 * sessions are kept in the order they entered their status, and all in creation order, which is
 * purge order, in ArrivalQueues (purgeAt =
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
  private readonly counts: Record<StoredStatus, number> = { open: 0, processing: 0, completed: 0, failed: 0 };
  private stamp = 0;
  /** Creation order, which is purge order. */
  private readonly purgeOrder = new ArrivalQueue((id) => this.entries.has(id));
  /** The sessions a new one may take the place of, each in the order it entered its status. */
  private readonly evictable: Partial<Record<StoredStatus, ArrivalQueue>> = { open: this.statusOrder('open'), failed: this.statusOrder('failed') };
  /** Sessions whose best shot bytes are held, in completion order, which is hold-expiry order. */
  private readonly heldBestShots = new ArrivalQueue((id) => (this.entries.get(id)?.bestShot ?? null) !== null);
  private heldBestShotCount = 0;
  private heldBestShotBytes = 0;
  private readonly letGoListeners: (() => void)[] = [];
  /** Sessions whose review is pending, kept in step with every write and drop. */
  private readonly reviews = new InMemoryReviewQueue();
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
    const entry: Entry = { id: session.id, status: session.status, statusStamp: 0, bestShot: null, ...stored(session) };
    this.entries.set(entry.id, entry);
    this.purgeOrder.push(entry.id, 0, this.entries.size);
    this.enterStatus(entry);
    return room;
  }

  async get(id: string, now: Date): Promise<SessionRecord | null> {
    const entry = this.live(id, now);
    return entry ? present(unpack(entry), now) : null;
  }

  async claimForUpload(id: string, containerSha256: string, now: Date, lease: UploadLease): Promise<UploadClaim> {
    const entry = this.live(id, now);
    if (!entry) return { outcome: 'not-found' };
    const session = present(unpack(entry), now);
    const status = session.status;
    if (status === 'completed' || status === 'failed') {
      return session.containerSha256 === containerSha256 ? { outcome: 'replay', session } : { outcome: 'already-used' };
    }
    if (now >= session.expiresAt) return { outcome: 'expired' };
    if (status === 'processing') return { outcome: 'in-progress', leaseUntil: new Date(session.lease!.until) };
    this.write(entry, { ...session, status: 'processing', lease, containerSha256 });
    return { outcome: 'claimed', lease: { claimId: lease.claimId, until: new Date(lease.until) }, captureMayBeUsed: session.captureMayBeUsed };
  }

  async release(id: string, claimId: string, captureMayBeUsed: boolean): Promise<void> {
    const claimed = this.claimedBy(id, claimId);
    if (!claimed) return;
    const mark = claimed.session.captureMayBeUsed || captureMayBeUsed;
    this.write(claimed.entry, { ...claimed.session, status: 'open', lease: null, containerSha256: null, captureMayBeUsed: mark });
  }

  async complete(id: string, claimId: string, result: SessionResult, bestShot: Buffer | null): Promise<BestShotHold | null> {
    const claimed = this.claimedBy(id, claimId);
    if (!claimed) return null;
    const fits = bestShot !== null && this.makeRoomFor(bestShot.length);
    if (bestShot && !fits) this.letGo();
    // One that cannot be held counts as let go the moment it was returned.
    const heldUntil = bestShot ? new Date(result.completedAt.getTime() + (fits ? this.config.bestShotTtlSeconds * 1000 : 0)) : null;
    const hold = { returned: bestShot !== null, heldUntil };
    // The record is stored as bytes: the hold it carries shares nothing with the one returned.
    this.write(claimed.entry, { ...claimed.session, status: 'completed', lease: null, result, bestShot: hold });
    if (fits) this.hold(claimed.entry, Buffer.from(bestShot));
    return hold;
  }

  async fail(id: string, claimId: string, failure: SessionFailure): Promise<boolean> {
    const claimed = this.claimedBy(id, claimId);
    if (!claimed) return false;
    this.write(claimed.entry, { ...claimed.session, status: 'failed', lease: null, failure });
    return true;
  }

  async recordBiometry(id: string, result: SessionResult, now: Date): Promise<boolean> {
    const entry = this.live(id, now);
    if (entry?.status !== 'completed') return false;
    this.write(entry, { ...unpack(entry), result });
    return true;
  }

  async getBestShot(id: string, now: Date): Promise<BestShotLookup> {
    const entry = this.live(id, now);
    if (!entry) return { state: 'session-not-found' };
    // A hold is recorded exactly when Oz returned a best shot.
    if (entry.heldUntil === null) return { state: 'none' };
    if (!entry.bestShot) return { state: 'expired' };
    return { state: 'held', bytes: Buffer.from(entry.bestShot) };
  }

  async recordReview(id: string, expectedReceipt: string, result: SessionResult, now: Date): Promise<ReviewRecording> {
    const entry = this.live(id, now);
    if (entry?.status !== 'completed') return 'not-found';
    const session = unpack(entry);
    if (session.result?.receipt !== expectedReceipt) return 'changed';
    this.write(entry, { ...session, result });
    return 'recorded';
  }

  async pendingReviews(after: ReviewCursor | null, limit: number, now: Date): Promise<SessionRecord[]> {
    this.purgeDue(now);
    const pending: SessionRecord[] = [];
    let cursor = after;
    // A purged session leaves the queue when live() drops it: the next pass starts after it.
    while (pending.length < limit) {
      const entries = this.reviews.after(cursor, limit - pending.length);
      if (entries.length === 0) break;
      for (const { id } of entries) {
        const entry = this.live(id, now);
        if (entry) pending.push(present(unpack(entry), now));
      }
      const last = entries[entries.length - 1];
      cursor = { since: new Date(last.since), sessionId: last.id };
    }
    return pending;
  }

  async countPendingReviews(now: Date): Promise<number> {
    this.purgeDue(now);
    return this.reviews.size;
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
    if (this.entries.size < this.maxSessions || this.counts.open > 0 || this.counts.failed > 0) return { available: true };
    const oldest = this.entries.get(this.purgeOrder.oldest()!)!;
    return { available: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest.purgeAt - now.getTime()) / 1000)) };
  }

  private evictOne(): void {
    const id = this.evictable.open!.oldest() ?? this.evictable.failed!.oldest();
    if (id !== undefined) this.drop(id);
  }

  /** The entry and its record while `claimId` holds it (complete, fail and release take no `now`: a lapsed lease nobody took over still counts). */
  private claimedBy(id: string, claimId: string): { entry: Entry; session: SessionRecord } | undefined {
    const entry = this.entries.get(id);
    if (entry?.status !== 'processing') return undefined;
    const session = unpack(entry);
    return session.lease?.claimId === claimId ? { entry, session } : undefined;
  }

  /** A new record for a stored entry: its bytes and what the bookkeeping reads, then its status. */
  private write(entry: Entry, session: SessionRecord): void {
    Object.assign(entry, stored(session));
    this.reviews.track(session);
    if (entry.status === session.status) return;
    this.counts[entry.status]--;
    entry.status = session.status;
    this.enterStatus(entry);
  }

  private enterStatus(entry: Entry): void {
    this.counts[entry.status]++;
    entry.statusStamp = ++this.stamp;
    this.evictable[entry.status]?.push(entry.id, entry.statusStamp, this.counts[entry.status]);
  }

  private statusOrder(status: StoredStatus): ArrivalQueue {
    return new ArrivalQueue((id, stamp) => {
      const entry = this.entries.get(id);
      return entry?.status === status && entry.statusStamp === stamp;
    });
  }

  /** The entry unless purged; drops an expired best shot on the way, so no read can return it. */
  private live(id: string, now: Date): Entry | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (now.getTime() >= entry.purgeAt) {
      this.drop(id);
      return undefined;
    }
    if (entry.bestShot && entry.heldUntil !== null && now.getTime() >= entry.heldUntil) this.dropBestShot(entry);
    return entry;
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.dropBestShot(entry);
    this.reviews.remove(id);
    this.entries.delete(id);
    this.counts[entry.status]--;
  }

  private hold(entry: Entry, bytes: Buffer): void {
    entry.bestShot = bytes;
    this.heldBestShotBytes += bytes.length;
    this.heldBestShotCount++;
    this.heldBestShots.push(entry.id, 0, this.heldBestShotCount);
  }

  private dropBestShot(entry: Entry): void {
    if (!entry.bestShot) return;
    this.heldBestShotBytes -= entry.bestShot.length;
    this.heldBestShotCount--;
    entry.bestShot = null;
  }

  /**
   * Lets the oldest held best shots go until `bytes` more fit under the cap; false when they
   * cannot fit even in an empty store. A best shot let go early reads as expired from now on.
   */
  private makeRoomFor(bytes: number): boolean {
    if (bytes > this.maxBestShotBytes) return false;
    let now: Date | undefined;
    for (let id = this.heldBestShots.oldest(); id !== undefined; id = this.heldBestShots.oldest()) {
      if (this.heldBestShotBytes + bytes <= this.maxBestShotBytes) break;
      now ??= this.clock.now();
      const entry = this.entries.get(id)!;
      this.dropBestShot(entry);
      if (now.getTime() >= entry.heldUntil!) continue;
      const session = unpack(entry);
      this.write(entry, { ...session, bestShot: { returned: true, heldUntil: now } });
      this.letGo();
    }
    return true;
  }

  private letGo(): void {
    for (const listener of this.letGoListeners) listener();
  }

  /** From the oldest on, and only while due: the cost is what is dropped, not what is stored. */
  private purgeDue(now: Date): void {
    for (let id = this.purgeOrder.oldest(); id !== undefined; id = this.purgeOrder.oldest()) {
      if (now.getTime() < this.entries.get(id)!.purgeAt) return;
      this.drop(id);
    }
  }

  private sweep(now: Date): void {
    this.purgeDue(now);
    for (let id = this.heldBestShots.oldest(); id !== undefined; id = this.heldBestShots.oldest()) {
      const entry = this.entries.get(id)!;
      if (now.getTime() < entry.heldUntil!) return;
      this.dropBestShot(entry);
    }
  }
}

/** The record as the caller sees it at `now`: a lease at or past its `until` is released, its call perhaps seen by Oz. */
function present(session: SessionRecord, now: Date): SessionRecord {
  if (session.status !== 'processing' || (session.lease && now < session.lease.until)) return session;
  return { ...session, status: 'open', lease: null, containerSha256: null, captureMayBeUsed: true };
}

/** What an entry keeps of a record: its bytes, and beside them what the bookkeeping reads on every call. */
function stored(session: SessionRecord): Pick<Entry, 'record' | 'purgeAt' | 'heldUntil'> {
  return { record: pack(session), purgeAt: session.purgeAt.getTime(), heldUntil: session.bestShot.heldUntil?.getTime() ?? null };
}

/**
 * A record's bytes in an ArrayBuffer of their own: a small Buffer.from() is a slice of Node's
 * shared 8 KiB pool, and one record kept for RESULT_TTL_SECONDS would keep the whole slab alive.
 */
function pack(session: SessionRecord): Buffer {
  const json = encodeRecord(session);
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(json));
  bytes.write(json);
  return bytes;
}

function unpack(entry: Entry): SessionRecord {
  return decodeRecord(entry.record.toString());
}
