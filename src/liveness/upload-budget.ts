import { Inject, Injectable } from '@nestjs/common';
import { limitsConfig, type LimitsConfig } from '../config';

/**
 * MAX_INFLIGHT_UPLOAD_BYTES (docs/api.md §1): the bytes of every liveness upload being received or
 * held by this replica at once. An upload reserves its declared length before any of its body is
 * read (a chunked one, each chunk as it arrives) and gives it back once its bytes are dropped, so
 * that many large uploads at once are refused at the door instead of exhausting memory.
 */
@Injectable()
export class UploadBudget {
  private used = 0;
  private readonly capacity: number;

  constructor(@Inject(limitsConfig.KEY) limits: LimitsConfig) {
    this.capacity = limits.maxInflightUploadBytes;
  }

  /** A reservation of `bytes`, or null when they would pass the budget. */
  reserve(bytes: number): UploadReservation | null {
    if (!this.take(bytes)) return null;
    return new UploadReservation(this, bytes);
  }

  get bytesInUse(): number {
    return this.used;
  }

  /** @internal for UploadReservation */
  take(bytes: number): boolean {
    if (this.used + bytes > this.capacity) return false;
    this.used += bytes;
    return true;
  }

  /** @internal for UploadReservation */
  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

export class UploadReservation {
  private released = false;

  constructor(
    private readonly budget: UploadBudget,
    private bytes: number,
  ) {}

  /** More bytes of a chunked body; false when the budget cannot take them. */
  grow(bytes: number): boolean {
    if (this.released || !this.budget.take(bytes)) return false;
    this.bytes += bytes;
    return true;
  }

  /** Idempotent, so that every path out of an upload may call it. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.bytes);
  }
}
