import { ArrivalQueue } from './arrival-queue';

/** A set of ids in, each with the stamp of its latest arrival, as the store keeps them. */
function queueOver(): { queue: ArrivalQueue; enter(id: string): void; leave(id: string): void; held(): number } {
  const stamps = new Map<string, number>();
  let stamp = 0;
  const queue = new ArrivalQueue((id, at) => stamps.get(id) === at);
  return {
    queue,
    enter(id) {
      stamps.set(id, ++stamp);
      queue.push(id, stamp, stamps.size);
    },
    leave(id) {
      stamps.delete(id);
    },
    held: () => (queue as unknown as { ids: string[] }).ids.length,
  };
}

describe('ArrivalQueue', () => {
  it('answers the oldest id still in, skipping those that left', () => {
    const { queue, enter, leave } = queueOver();
    for (const id of ['a', 'b', 'c']) enter(id);

    expect(queue.oldest()).toBe('a');
    leave('a');
    leave('c');
    expect(queue.oldest()).toBe('b');
    leave('b');
    expect(queue.oldest()).toBeUndefined();
  });

  it('counts an id that left and came back at its latest place only', () => {
    const { queue, enter, leave } = queueOver();
    for (const id of ['a', 'b']) enter(id);
    leave('a');
    enter('a');

    expect(queue.oldest()).toBe('b');
    leave('b');
    expect(queue.oldest()).toBe('a');
  });

  it('holds about as many ids as are in, however many came and went', () => {
    const { queue, enter, leave, held } = queueOver();
    for (let i = 0; i < 10; i++) enter(`kept-${i}`);
    // Arrivals that leave behind the head: the oldest stays in, so only compaction can drop them.
    for (let i = 0; i < 100_000; i++) {
      enter(`gone-${i}`);
      leave(`gone-${i}`);
    }

    expect(held()).toBeLessThan(2_100);
    expect(queue.oldest()).toBe('kept-0');
    for (let i = 0; i < 10; i++) leave(`kept-${i}`);
    enter('last');
    expect(queue.oldest()).toBe('last');
  });
});
