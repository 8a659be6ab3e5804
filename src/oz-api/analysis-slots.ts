/**
 * Bounds the analysis calls in flight to Oz. Refuses at once when full instead of queueing:
 * Oz handles a few analyses at a time, and a queue would only hold callers until their
 * deadline while the upstream stays saturated (docs/api.md §5, OZ_MAX_CONCURRENCY).
 */
export class AnalysisSlots {
  private inFlight = 0;

  constructor(private readonly capacity: number) {}

  tryAcquire(): boolean {
    if (this.inFlight >= this.capacity) return false;
    this.inFlight += 1;
    return true;
  }

  release(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  get available(): boolean {
    return this.inFlight < this.capacity;
  }

  get used(): number {
    return this.inFlight;
  }
}
