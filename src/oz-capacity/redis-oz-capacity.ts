import { randomUUID } from 'node:crypto';
import { Logger, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { RedisConnection, RedisClient } from '../redis/redis.connection';
import { capacityStopping, capacityTimedOut, storeUnavailable } from './oz-capacity.errors';
import { type CapacityWaitOutcome, OzCapacity, type OzCapacityOptions, type OzCapacityPermit } from './oz-capacity';
import { type CapacityAnswer, type CapacityKeys, CAPACITY_SCRIPTS, type CapacityScripts } from './redis-oz-capacity.scripts';
import { Waiter } from './waiter';

/** A waiter's place outlives its replica's last heartbeat by this much; a dead replica's waiters go then. */
const ALIVE_MS = 3_000;
const HEARTBEAT_MS = 1_000;
const LEAVE_RETRY_MS = 1_000;
/** How long the start waits for its connections, as RedisConnection does for the shared one; Redis down does not stop the start. */
const START_WAIT_MS = 2_000;

interface QueuedWaiter {
  waiter: Waiter;
  ticket: number;
}

/**
 * The capacity of every replica on one Redis (docs/api.md §13), by the scripts of
 * redis-oz-capacity.scripts.ts. A waiter is woken, not polled: whatever may let a waiter go (a
 * slot given back, a lease or a waiter swept, a waiter leaving) publishes on one channel, and
 * each replica then asks again for its own oldest waiters, in ticket order, until one must wait.
 * Pub/sub over a per-waiter list with BLPOP: one subscriber connection per replica instead of
 * one blocked connection per waiter, and the waiter takes its slot itself, so that a slot is
 * never handed to a replica that has just died. A message lost while the subscriber reconnects is
 * made up for when it is ready again. A wait for the pace, or for the lease of a holder that may
 * have died, is a timer set to the instant Redis named. Every Redis failure is STORE_UNAVAILABLE:
 * no slot is ever assumed.
 */
export class RedisOzCapacity extends OzCapacity implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('OzCapacity');
  private readonly redis: CapacityScripts & RedisClient;
  private readonly subscriber: RedisClient;
  private readonly keys: CapacityKeys;
  private readonly channel: string;
  private readonly queued = new Map<string, QueuedWaiter>();
  private readonly held = new Set<string>();
  private wakes = 0;
  private serving: Promise<void> | null = null;
  private serveAgain = false;
  private paceTimer: NodeJS.Timeout | null = null;
  private paceTimerAt = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  private closed = false;
  private stopping = false;

  constructor(
    private readonly options: OzCapacityOptions,
    connection: RedisConnection,
  ) {
    super();
    const tagged = `${connection.keyPrefix}{oz-capacity}`;
    this.keys = [`${tagged}:holders`, `${tagged}:queue`, `${tagged}:alive`, `${tagged}:tickets`, `${tagged}:next-start`];
    this.channel = `${tagged}:wake`;
    // Clients of its own: shutdown gives its slots back after the server drained, whatever the order of other modules' hooks.
    this.redis = connection.createClient() as CapacityScripts & RedisClient;
    for (const [name, definition] of Object.entries(CAPACITY_SCRIPTS)) this.redis.defineCommand(name, definition);
    this.subscriber = connection.createClient({ enableOfflineQueue: true });
    this.subscriber.on('message', () => this.wake());
    this.subscriber.on('ready', () => this.wake());
    this.subscriber
      .subscribe(this.channel)
      .catch(() => this.logger.warn('could not subscribe to the capacity channel: waiters go only at the instants Redis names'));
  }

  get waiting(): number {
    return this.queued.size;
  }

  /** Commands never queue (they fail fast while Redis is away): the first analyses should not fail only because the sockets were opening. */
  async onModuleInit(): Promise<void> {
    await Promise.all([this.redis, this.subscriber].map((client) => readyOrLater(client)));
  }

  async acquire(abandoned: AbortSignal): Promise<OzCapacityPermit> {
    if (this.stopping) throw capacityStopping();
    const id = randomUUID();
    const wakesBefore = this.wakes;
    const once = this.options.queueTimeoutMs === 0;
    const [outcome, ticket, askAgainInMs] = await this.call((redis) =>
      redis.ozCapacityJoin(...this.keys, this.channel, id, this.options.capacity, this.options.leaseMs, this.options.paceMs, ALIVE_MS, once ? 'once' : 'join'),
    );
    if (outcome === 'granted') {
      this.reportWait('admitted', 0);
      return this.take(id);
    }
    if (once) {
      this.reportWait('timed_out', 0);
      throw capacityTimedOut();
    }
    const waiter = new Waiter(id, this.options.queueTimeoutMs, abandoned, (ended, how, seconds) => this.ended(ended, how, seconds));
    if (waiter.waiting) this.queued.set(id, { waiter, ticket });
    this.beat();
    this.serveIn(askAgainInMs);
    // A wake that came while the join was on its way found no waiter of ours to serve: serve now.
    if (this.wakes !== wakesBefore) this.wake();
    try {
      await waiter.admitted;
    } catch (error) {
      // A place that cannot be given back means Redis is away: that is the answer, not the timeout.
      if (waiter.outcome === 'timed_out' && !(await this.leave([id]))) throw storeUnavailable();
      throw error;
    }
    return this.permit(id);
  }

  /** SIGTERM: waiters leave at once (they retry on another replica) instead of holding the drain. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const ids = [...this.queued.keys()];
    for (const { waiter } of this.queued.values()) waiter.fail(capacityStopping());
    this.queued.clear();
    this.stopTimers();
    if (ids.length > 0) await this.leave(ids);
  }

  /** After the drain: any slot still held is given back now rather than at the end of its lease. */
  async onApplicationShutdown(): Promise<void> {
    this.stopTimers();
    const held = [...this.held];
    this.held.clear();
    if (held.length > 0) await this.leave(held);
    this.closed = true;
    await Promise.all([this.redis, this.subscriber].map((client) => client.quit().catch(() => client.disconnect())));
  }

  /** A waiter that timed out leaves in acquire(), which awaits the answer; one whose client left, here. */
  private ended(waiter: Waiter, how: CapacityWaitOutcome, seconds: number): void {
    this.queued.delete(waiter.id);
    this.reportWait(how, seconds);
    if (how === 'abandoned') void this.leave([waiter.id]);
  }

  private take(id: string): OzCapacityPermit {
    this.held.add(id);
    return this.permit(id);
  }

  private permit(id: string): OzCapacityPermit {
    return {
      release: () => {
        if (this.held.delete(id)) void this.leave([id]);
      },
    };
  }

  /** Asks again for this replica's waiters, one serving at a time; wakes during one make another. */
  private wake(): void {
    this.wakes += 1;
    if (this.serving) {
      this.serveAgain = true;
      return;
    }
    this.serving = this.serve().finally(() => {
      this.serving = null;
      if (this.serveAgain) {
        this.serveAgain = false;
        this.wake();
      }
    });
  }

  /** Oldest first: when the oldest of ours must wait, every later one must too. */
  private async serve(): Promise<void> {
    const inOrder = [...this.queued.values()].sort((a, b) => a.ticket - b.ticket);
    for (const { waiter } of inOrder) {
      if (!waiter.waiting) continue;
      let answer: CapacityAnswer;
      try {
        answer = await this.redis.ozCapacityTry(...this.keys, this.channel, waiter.id, this.options.capacity, this.options.leaseMs, this.options.paceMs);
      } catch {
        return this.failAll();
      }
      const [outcome, , askAgainInMs] = answer;
      if (outcome === 'wait') return this.serveIn(askAgainInMs);
      if (outcome === 'gone') {
        this.queued.delete(waiter.id);
        waiter.fail(storeUnavailable());
        continue;
      }
      this.held.add(waiter.id);
      // It left (timed out, its client gone) while its slot was being taken: the slot goes back.
      if (!waiter.admit()) this.permit(waiter.id).release();
    }
  }

  /** One timer, at the earliest instant Redis named (the pace's next start, or a lease's end). */
  private serveIn(ms: number): void {
    if (ms < 0) return;
    const at = Date.now() + ms;
    if (this.paceTimer && this.paceTimerAt <= at) return;
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimerAt = at;
    this.paceTimer = setTimeout(() => {
      this.paceTimer = null;
      this.wake();
    }, ms);
    this.paceTimer.unref();
  }

  /** Keeps this replica's places while it has waiters; a place Redis no longer has is lost (503). */
  private beat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      if (this.queued.size === 0) return this.stopHeartbeat();
      const ids = [...this.queued.keys()];
      this.redis.ozCapacityHeartbeat(...this.keys, this.channel, ALIVE_MS, ...ids).then(
        (missing) => missing.forEach((id) => this.lose(id)),
        () => this.failAll(),
      );
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * The waiter is told 503 and its place given up: a command Redis did not answer in time may
   * still run once Redis is back (a heartbeat renewing the place), and must not leave a place
   * that no one waits for at the head of the queue.
   */
  private lose(id: string): void {
    const entry = this.queued.get(id);
    this.queued.delete(id);
    entry?.waiter.fail(storeUnavailable());
    if (entry) void this.leave([id]);
  }

  /** Redis does not answer: no waiter can know its place, so each is told so now. */
  private failAll(): void {
    for (const id of [...this.queued.keys()]) this.lose(id);
  }

  /**
   * Gives back slots and places. One that Redis did not take (it was away) is asked again every
   * second until its lease would have ended anyway: Oz is free, and the others should not wait
   * for the lease once Redis is back. Never throws; false when Redis did not take it now.
   */
  private leave(ids: string[], until = Date.now() + this.options.leaseMs): Promise<boolean> {
    return this.redis.ozCapacityLeave(...this.keys, this.channel, ...ids).then(
      () => true,
      () => {
        if (!this.closed && Date.now() + LEAVE_RETRY_MS < until) setTimeout(() => void this.leave(ids, until), LEAVE_RETRY_MS).unref();
        return false;
      },
    );
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private stopTimers(): void {
    this.stopHeartbeat();
    if (this.paceTimer) clearTimeout(this.paceTimer);
    this.paceTimer = null;
  }

  private async call<T>(command: (redis: CapacityScripts & RedisClient) => Promise<T>): Promise<T> {
    try {
      return await command(this.redis);
    } catch {
      throw storeUnavailable();
    }
  }
}

function readyOrLater(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, START_WAIT_MS);
    timer.unref();
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
