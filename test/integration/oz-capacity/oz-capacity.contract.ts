import { AppError } from '../../../src/common/app-error';
import type { CapacityWaitOutcome, OzCapacity, OzCapacityOptions, OzCapacityPermit } from '../../../src/oz-capacity/oz-capacity';
import { waitFor } from '../../support/redis-wire';

export interface CapacityHarness {
  /** One replica's capacity with these options over the defaults (CONTRACT_OPTIONS); freed after each test. */
  newCapacity(options?: Partial<OzCapacityOptions>): Promise<OzCapacity>;
}

/** Short enough for a test, long enough never to end one by accident. */
export const CONTRACT_OPTIONS: OzCapacityOptions = { capacity: 2, paceMs: 0, queueTimeoutMs: 10_000, leaseMs: 60_000 };

const never = () => new AbortController().signal;

/** Resolves once `capacity` counts `count` waiters of its own: the acquire is queued, not on its way. */
export const waitersAre = (capacity: OzCapacity, count: number) => waitFor(async () => capacity.waiting === count, 5_000);

/** An acquire whose admission order is noted in `order`. */
function queued(capacity: OzCapacity, name: string, order: string[], signal = never()): Promise<OzCapacityPermit> {
  return capacity.acquire(signal).then((permit) => {
    order.push(name);
    return permit;
  });
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => new Error('expected a refusal'),
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof AppError)) throw error;
  return error;
}

/** The behaviour of the OzCapacity port (docs/api.md §13), which every implementation must show alike. */
export function describeOzCapacityContract(harness: CapacityHarness): void {
  const outcomes = (capacity: OzCapacity): CapacityWaitOutcome[] => {
    const seen: CapacityWaitOutcome[] = [];
    capacity.onWaitEnded((outcome) => seen.push(outcome));
    return seen;
  };

  it('grants its capacity at once, and the next acquire waits until a slot is given back', async () => {
    const capacity = await harness.newCapacity();
    const order: string[] = [];
    const [first] = await Promise.all([queued(capacity, 'a', order), queued(capacity, 'b', order)]);
    const third = queued(capacity, 'c', order);
    await waitersAre(capacity, 1);

    expect(order.sort()).toEqual(['a', 'b']);
    first.release();
    await third;

    expect(order).toEqual(['a', 'b', 'c']);
    expect(capacity.waiting).toBe(0);
  });

  it('serves waiters first come first served as slots are given back', async () => {
    const capacity = await harness.newCapacity({ capacity: 1 });
    const order: string[] = [];
    let holder = await capacity.acquire(never());
    const waiters = ['w1', 'w2', 'w3', 'w4'].map((name, i) => ({ name, i }));
    const pending: Promise<OzCapacityPermit>[] = [];
    for (const { name, i } of waiters) {
      pending.push(queued(capacity, name, order));
      await waitersAre(capacity, i + 1);
    }

    for (const next of pending) {
      holder.release();
      holder = await next;
    }
    holder.release();

    expect(order).toEqual(['w1', 'w2', 'w3', 'w4']);
  });

  it('never has more slots taken than its capacity under a burst, and admits every acquire while the timeout allows', async () => {
    const capacity = await harness.newCapacity({ capacity: 3 });
    let held = 0;
    let most = 0;
    const work = async () => {
      const permit = await capacity.acquire(never());
      most = Math.max(most, ++held);
      await new Promise((resolve) => setTimeout(resolve, 5));
      held -= 1;
      permit.release();
    };

    await Promise.all(Array.from({ length: 24 }, work));

    expect(most).toBe(3);
    expect(capacity.waiting).toBe(0);
  });

  it('refuses with 503 UPSTREAM_UNAVAILABLE and Retry-After once the wait passes the queue timeout, and forgets the waiter', async () => {
    const capacity = await harness.newCapacity({ capacity: 1, queueTimeoutMs: 200 });
    const seen = outcomes(capacity);
    const holder = await capacity.acquire(never());

    const error = await refusal(capacity.acquire(never()));

    expect({ code: error.code, status: error.status, retryAfter: error.retryAfterSeconds }).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      status: 503,
      retryAfter: 1,
    });
    expect(seen).toEqual(['admitted', 'timed_out']);
    expect(capacity.waiting).toBe(0);
    holder.release();
    (await capacity.acquire(never())).release();
  });

  it('refuses at once when full with a queue timeout of 0, and admits at once when a slot is free', async () => {
    const capacity = await harness.newCapacity({ capacity: 1, queueTimeoutMs: 0 });
    const seen = outcomes(capacity);
    const holder = await capacity.acquire(never());

    await expect(refusal(capacity.acquire(never()))).resolves.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 1 });
    holder.release();
    (await capacity.acquire(never())).release();

    expect(seen).toEqual(['admitted', 'timed_out', 'admitted']);
    expect(capacity.waiting).toBe(0);
  });

  it('lets a waiter whose client left give up its place at once, so that the one behind it gets the slot', async () => {
    const capacity = await harness.newCapacity({ capacity: 1 });
    const seen = outcomes(capacity);
    const holder = await capacity.acquire(never());
    const client = new AbortController();
    const leaving = capacity.acquire(client.signal);
    await waitersAre(capacity, 1);
    const behind = capacity.acquire(never());
    await waitersAre(capacity, 2);

    client.abort();
    await expect(refusal(leaving)).resolves.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(capacity.waiting).toBe(1);
    holder.release();
    (await behind).release();

    expect(seen).toEqual(['admitted', 'abandoned', 'admitted']);
  });

  it('takes back a slot that was never given back at the end of its lease, for the next waiter', async () => {
    const capacity = await harness.newCapacity({ capacity: 1, leaseMs: 300 });
    await capacity.acquire(never());

    const next = await capacity.acquire(never());

    next.release();
    expect(capacity.waiting).toBe(0);
  });

  it('gives a slot back once however often its permit is released', async () => {
    const capacity = await harness.newCapacity({ capacity: 2, queueTimeoutMs: 0 });
    const first = await capacity.acquire(never());
    const second = await capacity.acquire(never());

    first.release();
    first.release();
    const third = await capacity.acquire(never());

    await expect(refusal(capacity.acquire(never()))).resolves.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    second.release();
    third.release();
  });

  it('spaces the starts by the pace, in the order of arrival, even with slots free', async () => {
    const paceMs = 250;
    const capacity = await harness.newCapacity({ capacity: 3, paceMs });
    const order: string[] = [];
    const admittedAt: number[] = [];
    const names = ['p1', 'p2', 'p3'];
    const pending: Promise<OzCapacityPermit>[] = [];
    for (const [i, name] of names.entries()) {
      pending.push(queued(capacity, name, order).then((permit) => (admittedAt.push(performance.now()), permit)));
      if (i > 0) await waitersAre(capacity, i);
    }

    const permits = await Promise.all(pending);
    permits.forEach((permit) => permit.release());

    expect(order).toEqual(names);
    // Redis decides on its own clock and answers a moment later: a few milliseconds of slack, never more.
    const gaps = admittedAt.slice(1).map((at, i) => at - admittedAt[i]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(paceMs - 15);
  });

  it('tells waiting and later analyses to go elsewhere once the replica stops, and holds the stop for none of them', async () => {
    const capacity = await harness.newCapacity({ capacity: 1 });
    const holder = await capacity.acquire(never());
    const waiting = capacity.acquire(never());
    await waitersAre(capacity, 1);
    const refused = refusal(waiting);

    await (capacity as unknown as { beforeApplicationShutdown(): Promise<void> | void }).beforeApplicationShutdown();

    await expect(refused).resolves.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryAfterSeconds: 1 });
    expect(capacity.waiting).toBe(0);
    await expect(refusal(capacity.acquire(never()))).resolves.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    holder.release();
  });
}
