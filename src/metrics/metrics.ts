import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Decision, DecisionReason } from '../decision/decision.types';
import { OZ_FAILURE_CAUSES, type OzCallObservation } from '../oz-api/oz-call-observation';
import type { OzOperation } from '../oz-api/oz-api.error';
import type { CapacityWaitOutcome } from '../oz-capacity/oz-capacity';
import type { LimitName } from '../rate-limits/rate-limits';
import { processMetrics } from './process-metrics';

export type CheckName = 'liveness' | 'biometry';
export type WebhookDeliveryOutcome = 'delivered' | 'failed_attempt' | 'gave_up';

/** Most answers take milliseconds; a liveness upload waits for Oz, and 10 s is already far too long for a person. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** An analysis may take up to OZ_TIMEOUT_MS (60 s by default). */
const OZ_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

/** Every decision the table of docs/api.md §4 can give, per check: their series exist from the start, at 0. */
const DECISIONS: Record<CheckName, [Decision, DecisionReason][]> = {
  liveness: [
    ['accepted', 'LIVENESS_PASSED'],
    ['rejected', 'LIVENESS_DECLINED'],
    ['inconclusive', 'ANALYSIS_FAILED'],
    ['inconclusive', 'REVIEW_REQUIRED'],
    ['inconclusive', 'UNEXPECTED_RESULT'],
  ],
  biometry: [
    ['accepted', 'FACE_MATCHED'],
    ['rejected', 'FACE_MISMATCH'],
    ['inconclusive', 'ANALYSIS_FAILED'],
    ['inconclusive', 'REVIEW_REQUIRED'],
    ['inconclusive', 'UNEXPECTED_RESULT'],
  ],
};
/** A wait for the deployment's Oz capacity lasts at most OZ_QUEUE_TIMEOUT_MS (15 s by default). */
const CAPACITY_WAIT_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60];
const CAPACITY_WAIT_OUTCOMES: CapacityWaitOutcome[] = ['admitted', 'timed_out', 'abandoned'];
const CONTAINER_ERROR_CODES = [3, 4, 5, 13, 14];
const OZ_OPERATIONS: OzOperation[] = ['session_token', 'liveness', 'biometry'];
const WATCHED_REFUSALS: [string, number][] = ['/v1/sessions', '/v1/sessions/:sessionId/liveness'].flatMap((route) =>
  [429, 502, 503, 504].map((status): [string, number] => [route, status]),
);
const LIMITS: LimitName[] = ['address', 'subject'];
const WEBHOOK_OUTCOMES: WebhookDeliveryOutcome[] = ['delivered', 'failed_attempt', 'gave_up'];
const REVIEW_DECISIONS: Decision[] = ['accepted', 'rejected'];

/**
 * The service's metrics (docs/api.md §9) in a registry of its own, with the process metrics merged
 * in. No label ever carries a session, subject, request id or address (§6): every label value
 * comes from a small fixed set (methods, route templates, statuses, outcomes, codes).
 */
@Injectable()
export class Metrics {
  private readonly own = new Registry();
  readonly registry: Registry;
  private readonly requestDuration = new Histogram({
    name: 'http_server_request_duration_seconds',
    help: 'Duration of HTTP requests, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: REQUEST_BUCKETS,
    registers: [this.own],
  });
  private readonly ozDuration = new Histogram({
    name: 'oz_request_duration_seconds',
    help: 'Duration of calls to Oz API Instant, by operation and outcome.',
    labelNames: ['operation', 'outcome'],
    buckets: OZ_BUCKETS,
    registers: [this.own],
  });
  private readonly ozFailures = new Counter({
    name: 'oz_failed_calls_total',
    help: 'Calls to Oz that did not succeed, by operation and cause: Oz failing (oz_5xx, timeout, unreachable, reset, invalid_response), refusing this service (oz_refused_service) or refusing what a caller sent (caller_data).',
    labelNames: ['operation', 'cause'],
    registers: [this.own],
  });
  private readonly decisions = new Counter({
    name: 'verification_decisions_total',
    help: 'Decisions recorded, by check, decision and reason.',
    labelNames: ['check', 'decision', 'reason'],
    registers: [this.own],
  });
  private readonly containerErrors = new Counter({
    name: 'oz_container_errors_total',
    help: 'Containers Oz refused for good, by Oz error code.',
    labelNames: ['oz_error_code'],
    registers: [this.own],
  });
  private readonly rateLimited = new Counter({
    name: 'rate_limited_requests_total',
    help: 'Requests refused by a rate limit, by limit.',
    labelNames: ['limit'],
    registers: [this.own],
  });
  private readonly rateLimitWindowsDroppedEarly = new Counter({
    name: 'rate_limit_windows_dropped_early_total',
    help: 'Windows an in-memory rate limit dropped before they ended, to stay within its key cap, by limit.',
    labelNames: ['limit'],
    registers: [this.own],
  });
  private readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome.',
    labelNames: ['outcome'],
    registers: [this.own],
  });
  private readonly bestShotsLetGoEarly = new Counter({
    name: 'best_shots_released_early_total',
    help: 'Best shots the in-memory store let go before BEST_SHOT_TTL_SECONDS, to stay within its byte cap.',
    registers: [this.own],
  });
  private readonly attemptLocks = new Counter({
    name: 'attempt_locks_total',
    help: 'Vouched subjects that became locked after ATTEMPT_LIMIT failed attempts (docs/api.md §14).',
    registers: [this.own],
  });
  private readonly capacityWait = new Histogram({
    name: 'oz_capacity_wait_seconds',
    help: 'Waits of analyses for the deployment-wide Oz capacity (OZ_CAPACITY), by how they ended.',
    labelNames: ['outcome'],
    buckets: CAPACITY_WAIT_BUCKETS,
    registers: [this.own],
  });
  private readonly reviewsCompleted = new Counter({
    name: 'reviews_completed_total',
    help: 'Reviews a reviewer decided (docs/api.md §15), by decision.',
    labelNames: ['decision'],
    registers: [this.own],
  });
  private countReviewsPending: () => Promise<number | null> = async () => 0;
  /** Children per label set: an observation is a map lookup, not a hash of its labels. */
  private readonly requestSeries = new Map<string, Histogram.Internal<string>>();
  private readonly ozSeries = new Map<string, Histogram.Internal<string>>();
  private readAnalysesInFlight: () => number = () => 0;
  private readonly analysesInFlight: Gauge;
  private askStoreUp: () => Promise<boolean> = async () => true;
  private readonly storeUp: Gauge;
  private readCapacityWaiting: () => number = () => 0;

  constructor() {
    const read = () => this.readAnalysesInFlight();
    this.analysesInFlight = new Gauge({
      name: 'oz_analyses_in_flight',
      help: 'Analysis calls (liveness and biometry) in flight to Oz.',
      registers: [this.own],
      collect() {
        this.set(read());
      },
    });
    // Readiness no longer shows a store outage (§18), so the scrape asks the store itself.
    const askStore = () => this.askStoreUp();
    this.storeUp = new Gauge({
      name: 'store_up',
      help: 'Whether the session store (Redis when REDIS_URL is set) answered a PING within 1 s at this scrape; 1 for the in-memory store.',
      registers: [this.own],
      async collect() {
        this.set((await askStore()) ? 1 : 0);
      },
    });
    const readWaiting = () => this.readCapacityWaiting();
    new Gauge({
      name: 'oz_capacity_waiting',
      help: 'Analyses of this replica waiting for the deployment-wide Oz capacity (OZ_CAPACITY).',
      registers: [this.own],
      collect() {
        this.set(readWaiting());
      },
    });
    for (const outcome of CAPACITY_WAIT_OUTCOMES) this.capacityWait.zero({ outcome });
    // With Redis, the queue every replica shares: each replica reports the same number.
    const countPending = () => this.countReviewsPending();
    new Gauge({
      name: 'reviews_pending',
      help: 'Sessions waiting for a reviewer (docs/api.md §15), counted at this scrape; the last count while the store does not answer.',
      registers: [this.own],
      async collect() {
        const pending = await countPending();
        if (pending !== null) this.set(pending);
      },
    });
    for (const decision of REVIEW_DECISIONS) this.reviewsCompleted.inc({ decision }, 0);
    for (const [check, pairs] of Object.entries(DECISIONS)) for (const [decision, reason] of pairs) this.decisions.inc({ check, decision, reason }, 0);
    for (const operation of OZ_OPERATIONS) for (const cause of OZ_FAILURE_CAUSES) this.ozFailures.inc({ operation, cause }, 0);
    // Each operation's successful calls start at 0 too: Oz's time on a dashboard before the first call.
    for (const operation of OZ_OPERATIONS) this.ozDuration.zero({ operation, outcome: 'ok' });
    // The refusals dashboards watch on the public routes start at 0, not "no data".
    for (const [route, status] of WATCHED_REFUSALS) this.requestDuration.zero({ method: 'POST', route, status_code: String(status) });
    for (const code of CONTAINER_ERROR_CODES) this.containerErrors.inc({ oz_error_code: String(code) }, 0);
    for (const limit of LIMITS) this.rateLimited.inc({ limit }, 0);
    for (const limit of LIMITS) this.rateLimitWindowsDroppedEarly.inc({ limit }, 0);
    for (const outcome of WEBHOOK_OUTCOMES) this.webhookDeliveries.inc({ outcome }, 0);
    this.registry = Registry.merge([this.own, processMetrics()]);
  }

  /** `route` is the route template, or `unmatched`: never a raw path. */
  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    seriesOf(this.requestSeries, `${method} ${route} ${statusCode}`, () => this.requestDuration.labels(method, route, String(statusCode))).observe(seconds);
  }

  observeOzCall({ operation, outcome, durationSeconds, cause }: OzCallObservation): void {
    seriesOf(this.ozSeries, `${operation} ${outcome}`, () => this.ozDuration.labels(operation, outcome)).observe(durationSeconds);
    if (cause) this.ozFailures.inc({ operation, cause });
  }

  /** Read at scrape time, from the gateway's analysis slots. */
  readAnalysesInFlightFrom(read: () => number): void {
    this.readAnalysesInFlight = read;
  }

  askStoreUpFrom(ask: () => Promise<boolean>): void {
    this.askStoreUp = ask;
  }

  /** Read at scrape time, from the deployment capacity's waiters of this replica. */
  readCapacityWaitingFrom(read: () => number): void {
    this.readCapacityWaiting = read;
  }

  observeCapacityWait(outcome: CapacityWaitOutcome, seconds: number): void {
    this.capacityWait.observe({ outcome }, seconds);
  }

  /** Read at scrape time; null when the store did not answer. */
  countReviewsPendingFrom(count: () => Promise<number | null>): void {
    this.countReviewsPending = count;
  }

  countReviewCompleted(decision: Decision): void {
    this.reviewsCompleted.inc({ decision });
  }

  countDecision(check: CheckName, decision: Decision, reason: DecisionReason): void {
    this.decisions.inc({ check, decision, reason });
  }

  countContainerError(ozErrorCode: number): void {
    this.containerErrors.inc({ oz_error_code: String(ozErrorCode) });
  }

  countRateLimited(limit: LimitName): void {
    this.rateLimited.inc({ limit });
  }

  countRateLimitWindowDroppedEarly(limit: LimitName): void {
    this.rateLimitWindowsDroppedEarly.inc({ limit });
  }

  countWebhookDelivery(outcome: WebhookDeliveryOutcome): void {
    this.webhookDeliveries.inc({ outcome });
  }

  countAttemptLock(): void {
    this.attemptLocks.inc();
  }

  countBestShotLetGoEarly(): void {
    this.bestShotsLetGoEarly.inc();
  }

  /** The Prometheus text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function seriesOf<T>(cache: Map<string, T>, key: string, create: () => T): T {
  let series = cache.get(key);
  if (series === undefined) {
    series = create();
    cache.set(key, series);
  }
  return series;
}
