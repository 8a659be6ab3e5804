/**
 * U's view of "Oz slots held by uploads still arriving". A client announces the body it is about
 * to send (by its first PREFIX_BYTES bytes) and says when it has finished, just before it writes
 * the last chunk. `arriving` counts the folder requests whose body is still arriving at U while
 * its client has not finished: a proxy that forwards while the client sends shows them; one that
 * buffers the whole body before it calls Oz cannot, by causality and whatever the machine's speed,
 * because its request reaches U only after the client said it finished. `receiving` is the raw
 * count (request started, 'end' not yet seen): every body is briefly in it, even one sent at wire
 * speed, so it cannot tell the two apart.
 */

/** How many leading bytes of a body identify it. */
export const PREFIX_BYTES = 16;

export interface ArrivalCounts {
  arriving: number;
  maxArriving: number;
  receiving: number;
  maxReceiving: number;
}

interface Announced {
  finished: boolean;
  /** Un-count callbacks of the requests counted in `arriving` for this body. */
  counted: Set<() => void>;
}

export class Arrivals {
  private readonly announced = new Map<string, Announced>();

  constructor(private readonly counts: ArrivalCounts) {}

  /** A client is sending (`finished` false) or has finished sending (true) the body with this prefix (hex). */
  announce(prefix: string, finished: boolean): void {
    const entry = this.announced.get(prefix) ?? { finished: false, counted: new Set() };
    this.announced.set(prefix, entry);
    if (!finished) return;
    entry.finished = true;
    for (const uncount of [...entry.counted]) uncount();
  }

  /** A folder request has started: feed it its body chunks, and call `done` once at its end or error. */
  request(): { chunk(data: Buffer): void; done(): void } {
    const c = this.counts;
    c.receiving++;
    c.maxReceiving = Math.max(c.maxReceiving, c.receiving);
    let head = Buffer.alloc(0);
    let entry: Announced | undefined;
    let counted = false;
    let received = false;
    const uncount = () => {
      if (counted) c.arriving--;
      counted = false;
      entry?.counted.delete(uncount);
    };
    const identify = (data: Buffer) => {
      head = Buffer.concat([head, data.subarray(0, PREFIX_BYTES - head.length)]);
      if (head.length < PREFIX_BYTES) return;
      entry = this.announced.get(head.toString('hex'));
      if (!entry || entry.finished) return;
      counted = true;
      entry.counted.add(uncount);
      c.arriving++;
      c.maxArriving = Math.max(c.maxArriving, c.arriving);
    };
    return {
      chunk: (data) => {
        if (head.length < PREFIX_BYTES) identify(data);
      },
      done: () => {
        if (received) return;
        received = true;
        c.receiving--;
        uncount();
      },
    };
  }
}
