import { createHash } from 'node:crypto';

/** One analysis call (a POST to the folders route): when it came, when it was answered or cut. */
export interface AnalysisCall {
  bodySha256: string;
  /** Milliseconds since the epoch, on the emulator's clock: one clock for every caller. */
  startedAt: number;
  endedAt: number | null;
}

export interface AnalysisLoad {
  inFlight: number;
  /** The most analysis calls the emulator was handling at once since the last clear. */
  mostAtOnce: number;
  /** Oldest first, at most the last 1000. */
  calls: AnalysisCall[];
}

const KEPT_CALLS = 1_000;

/**
 * How loaded the emulated Oz was: analysis calls in flight, the most at once, and each call's
 * start and end. What a capacity limit in front of Oz must prove: never more at once than allowed,
 * starts in the order and at the pace intended.
 */
export class LoadMeter {
  private inFlight = 0;
  private mostAtOnce = 0;
  private calls: AnalysisCall[] = [];

  /** A call began; the function ends it (once, however often it is called). */
  begin(body: Buffer | null): () => void {
    const call: AnalysisCall = {
      bodySha256: createHash('sha256')
        .update(body ?? Buffer.alloc(0))
        .digest('hex'),
      startedAt: Date.now(),
      endedAt: null,
    };
    this.calls.push(call);
    if (this.calls.length > KEPT_CALLS) this.calls.splice(0, this.calls.length - KEPT_CALLS);
    this.inFlight += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.inFlight);
    return () => {
      if (call.endedAt !== null) return;
      call.endedAt = Date.now();
      this.inFlight -= 1;
    };
  }

  snapshot(): AnalysisLoad {
    return { inFlight: this.inFlight, mostAtOnce: this.mostAtOnce, calls: this.calls.map((call) => ({ ...call })) };
  }

  /** Forgets the calls and starts counting the most at once from the calls in flight now. */
  clear(): void {
    this.calls = [];
    this.mostAtOnce = this.inFlight;
  }
}
