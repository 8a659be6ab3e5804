import { Inject, Injectable } from '@nestjs/common';
import type { AppError } from '../common/app-error';
import { limitsConfig, type LimitsConfig } from '../config';
import { addressShareExceeded, uploadsBusy } from './upload.errors';

/**
 * MAX_INFLIGHT_UPLOAD_BYTES (docs/api.md §1, §16): the bytes of every request body being received
 * or held by this replica at once — liveness containers and biometry forms alike — and, within
 * it, MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS for one client address, so that no caller can hold
 * the budget for others. An upload reserves its declared length before any of its body is read
 * (a chunked one, each chunk as it arrives) and gives it back once its bytes are dropped.
 */
@Injectable()
export class UploadBudget {
  private used = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly capacity: number;
  private readonly share: number;

  constructor(@Inject(limitsConfig.KEY) limits: Pick<LimitsConfig, 'maxInflightUploadBytes' | 'maxInflightUploadBytesPerAddress'>) {
    this.capacity = limits.maxInflightUploadBytes;
    this.share = limits.maxInflightUploadBytesPerAddress;
  }

  /** A reservation of `bytes` for `address`; throws 429 (its share) or 503 (the whole budget) before any body is read. */
  reserve(address: string, bytes: number): UploadReservation {
    const refusal = this.take(address, bytes);
    if (refusal) throw refusal;
    return new UploadReservation(this, address, bytes);
  }

  get bytesInUse(): number {
    return this.used;
  }

  /** The address's share is checked first: a caller over its own share learns that, not that the service is busy. */
  take(address: string, bytes: number): AppError | null {
    const held = this.byAddress.get(address) ?? 0;
    if (held + bytes > this.share) return addressShareExceeded();
    if (this.used + bytes > this.capacity) return uploadsBusy();
    this.used += bytes;
    if (bytes > 0) this.byAddress.set(address, held + bytes);
    return null;
  }

  give(address: string, bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    const left = (this.byAddress.get(address) ?? 0) - bytes;
    if (left > 0) this.byAddress.set(address, left);
    else this.byAddress.delete(address);
  }
}

export class UploadReservation {
  private released = false;

  constructor(
    private readonly budget: UploadBudget,
    private readonly address: string,
    private bytes: number,
  ) {}

  /** More bytes of a chunked body; the refusal (429 or 503) when the budget cannot take them. */
  grow(bytes: number): AppError | null {
    if (this.released) return null;
    const refusal = this.budget.take(this.address, bytes);
    if (!refusal) this.bytes += bytes;
    return refusal;
  }

  /** Idempotent, so that every path out of an upload may call it. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.address, this.bytes);
  }
}
