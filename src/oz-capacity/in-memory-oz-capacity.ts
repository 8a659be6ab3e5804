import { randomUUID } from 'node:crypto';
import type { BeforeApplicationShutdown, OnApplicationShutdown } from '@nestjs/common';
import { capacityStopping, capacityTimedOut } from './oz-capacity.errors';
import { OzCapacity, type OzCapacityOptions, type OzCapacityPermit } from './oz-capacity';
import { Waiter } from './waiter';

/**
 * The deployment's capacity when the deployment is this one process (no REDIS_URL): a counting
 * semaphore with a FIFO queue and a "next allowed start" instant for the pace. A freed slot is
 * handed to the head of the queue in the same tick. Slots are leases here too, so that both
 * implementations keep one contract (test/integration/oz-capacity).
 */
export class InMemoryOzCapacity extends OzCapacity implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly holders = new Map<string, NodeJS.Timeout>();
  private queue: Waiter[] = [];
  private nextStartAt = 0;
  private paceTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(private readonly options: OzCapacityOptions) {
    super();
  }

  get waiting(): number {
    return this.queue.length;
  }

  async acquire(abandoned: AbortSignal): Promise<OzCapacityPermit> {
    if (this.stopping) throw capacityStopping();
    if (this.queue.length === 0 && this.holders.size < this.options.capacity && Date.now() >= this.nextStartAt) {
      this.reportWait('admitted', 0);
      return this.take(randomUUID());
    }
    if (this.options.queueTimeoutMs === 0) {
      this.reportWait('timed_out', 0);
      throw capacityTimedOut();
    }
    const waiter = new Waiter(randomUUID(), this.options.queueTimeoutMs, abandoned, (ended, outcome, seconds) => {
      this.queue = this.queue.filter((queued) => queued !== ended);
      this.reportWait(outcome, seconds);
      // A waiter that leaves the head may let the next one go (it never holds a slot itself).
      if (outcome !== 'admitted') this.serve();
    });
    if (waiter.waiting) this.queue.push(waiter);
    this.serve();
    await waiter.admitted;
    return this.permit(waiter.id);
  }

  /** SIGTERM: waiters leave at once (they retry on another replica) instead of holding the drain. */
  beforeApplicationShutdown(): void {
    this.stopping = true;
    for (const waiter of [...this.queue]) waiter.fail(capacityStopping());
    this.queue = [];
  }

  onApplicationShutdown(): void {
    for (const lease of this.holders.values()) clearTimeout(lease);
    this.holders.clear();
    if (this.paceTimer) clearTimeout(this.paceTimer);
  }

  /** Hands free slots to the head of the queue, in order, as far as the pace allows. */
  private serve(): void {
    while (this.queue.length > 0 && this.holders.size < this.options.capacity) {
      const wait = this.nextStartAt - Date.now();
      if (wait > 0) return this.serveIn(wait);
      const head = this.queue[0];
      this.hold(head.id);
      // admit() removes the head through its `ended` callback; one that already failed is dropped here.
      if (!head.admit()) {
        this.queue.shift();
        clearTimeout(this.holders.get(head.id));
        this.holders.delete(head.id);
      }
    }
  }

  private serveIn(ms: number): void {
    if (this.paceTimer) return;
    this.paceTimer = setTimeout(() => {
      this.paceTimer = null;
      this.serve();
    }, ms);
  }

  private take(id: string): OzCapacityPermit {
    this.hold(id);
    return this.permit(id);
  }

  private hold(id: string): void {
    const lease = setTimeout(() => this.giveBack(id), this.options.leaseMs);
    lease.unref();
    this.holders.set(id, lease);
    if (this.options.paceMs > 0) this.nextStartAt = Date.now() + this.options.paceMs;
  }

  private permit(id: string): OzCapacityPermit {
    return { release: () => this.giveBack(id) };
  }

  private giveBack(id: string): void {
    const lease = this.holders.get(id);
    if (lease === undefined) return;
    clearTimeout(lease);
    this.holders.delete(id);
    this.serve();
  }
}
