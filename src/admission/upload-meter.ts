import { Inject, Injectable } from '@nestjs/common';
import type { AppError } from '../common/app-error';
import { limitsConfig, type LimitsConfig } from '../config';
import { UploadBudget, type UploadReservation } from './upload-budget';
import { uploadTooSlow } from './upload.errors';

/** How long a body may take before its average rate is judged (docs/api.md §16: 10 s). */
export const UPLOAD_RATE_GRACE_MS = Symbol('UPLOAD_RATE_GRACE_MS');
export const CONTRACT_UPLOAD_RATE_GRACE_MS = 10_000;

/** Never look again sooner than this: a body just above the rate would otherwise be checked on every tick. */
const MIN_RECHECK_MS = 250;

/**
 * Opens a meter for each request body the service reads: its room in the upload budget (taken
 * before any byte is read) and the minimum rate it must keep (MIN_UPLOAD_BYTES_PER_SECOND).
 */
@Injectable()
export class UploadMeters {
  constructor(
    private readonly budget: UploadBudget,
    @Inject(limitsConfig.KEY) private readonly limits: LimitsConfig,
    @Inject(UPLOAD_RATE_GRACE_MS) private readonly graceMs: number,
  ) {}

  /** Throws 429 or 503 before any of the body is read when the budget has no room for its declared length. */
  open(address: string, declaredLength: number | null, onTooSlow: (error: AppError) => void): UploadMeter {
    const reservation = this.budget.reserve(address, declaredLength ?? 0);
    return new UploadMeter(reservation, declaredLength === null, { minBytesPerSecond: this.limits.minUploadBytesPerSecond, graceMs: this.graceMs }, onTooSlow);
  }
}

interface RateRule {
  minBytesPerSecond: number;
  graceMs: number;
}

/**
 * One body as it arrives. The rate rule is an average since the meter opened (the service was
 * waiting for the first byte from then on, so a client that sends nothing is cut too): it is
 * judged once the grace has passed, then again exactly when the average would fall below the
 * minimum if no further byte came (opened + received / rate), so one timer per body suffices.
 */
export class UploadMeter {
  private received = 0;
  private readonly opened = Date.now();
  private timer: NodeJS.Timeout | null;

  constructor(
    private readonly reservation: UploadReservation,
    private readonly chunked: boolean,
    private readonly rule: RateRule,
    private readonly onTooSlow: (error: AppError) => void,
  ) {
    this.timer = setTimeout(() => this.judge(), rule.graceMs).unref();
  }

  /** Counts a chunk; for a chunked body takes its bytes from the budget, or answers the refusal (429 or 503). */
  arrived(bytes: number): AppError | null {
    this.received += bytes;
    return this.chunked ? this.reservation.grow(bytes) : null;
  }

  /** The whole body is in: no rate to keep any more, its bytes stay held until release(). */
  finished(): void {
    this.stopTimer();
  }

  /** Idempotent: gives the body's bytes back to the budget. */
  release(): void {
    this.stopTimer();
    this.reservation.release();
  }

  private judge(): void {
    this.timer = null;
    const elapsedMs = Date.now() - this.opened;
    const dueMs = (this.received / this.rule.minBytesPerSecond) * 1000;
    if (dueMs < elapsedMs) {
      this.release();
      this.onTooSlow(uploadTooSlow(this.rule.minBytesPerSecond));
      return;
    }
    this.timer = setTimeout(() => this.judge(), Math.max(MIN_RECHECK_MS, dueMs - elapsedMs)).unref();
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
