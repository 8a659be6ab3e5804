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
 * One body as it arrives. The rate rule (docs/api.md §16) is an average since the body's first
 * byte, judged once it has run the grace, then again exactly when the average would fall below
 * the minimum if no further byte came (first byte + received / rate): one timer per body. A body
 * whose first byte has not come within the grace of the service beginning to wait for it is cut
 * the same way, so that a client that sends nothing cannot hold its share of the budget either.
 */
export class UploadMeter {
  private received = 0;
  private firstByteAt: number | null = null;
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
    if (this.firstByteAt === null && bytes > 0) this.startRateClock();
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

  /** From the first byte on, the average is judged once the body has run the grace. */
  private startRateClock(): void {
    this.firstByteAt = Date.now();
    if (this.timer === null) return;
    this.stopTimer();
    this.timer = setTimeout(() => this.judge(), this.rule.graceMs).unref();
  }

  private judge(): void {
    this.timer = null;
    if (this.firstByteAt === null) return this.cut();
    const elapsedMs = Date.now() - this.firstByteAt;
    const dueMs = (this.received / this.rule.minBytesPerSecond) * 1000;
    if (elapsedMs >= this.rule.graceMs && dueMs < elapsedMs) return this.cut();
    const nextMs = Math.max(this.rule.graceMs - elapsedMs, dueMs - elapsedMs);
    this.timer = setTimeout(() => this.judge(), Math.max(MIN_RECHECK_MS, nextMs)).unref();
  }

  private cut(): void {
    this.release();
    this.onTooSlow(uploadTooSlow(this.rule.minBytesPerSecond));
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
