import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { AttemptLimits } from '../attempts/attempt-limits';
import { OZ_CONTAINER_ERROR_CODES } from '../oz-api/oz-api.error';
import { OzApiGateway } from '../oz-api/oz-api.gateway';
import { OzCapacity } from '../oz-capacity/oz-capacity';
import { RateLimits } from '../rate-limits/rate-limits';
import { SessionEvents, type SessionEvent } from '../session/session-events';
import { SessionLifecycle } from '../session/session-lifecycle';
import { WebhookDelivery } from '../webhooks/webhook-delivery';
import { Metrics } from './metrics';

/**
 * Where the numbers come from: the session's events (decisions, container errors), the gateway's
 * calls and slots, the deployment capacity's waits, the rate limits' refusals and early drops, the webhook deliveries, the best shots let go early. Each source offers a listener seam, so that none of
 * them knows the metrics.
 */
@Injectable()
export class MetricSources implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly events: SessionEvents,
    private readonly gateway: OzApiGateway,
    private readonly rateLimits: RateLimits,
    private readonly webhooks: WebhookDelivery,
    private readonly sessions: SessionLifecycle,
    private readonly attempts: AttemptLimits,
    @Inject(OzCapacity) private readonly capacity: OzCapacity | null,
  ) {}

  onModuleInit(): void {
    this.gateway.observeCalls((call) => this.metrics.observeOzCall(call));
    this.metrics.readAnalysesInFlightFrom(() => this.gateway.analysesInFlight());
    this.metrics.askStoreUpFrom(() => this.sessions.storeAnswers());
    const capacity = this.capacity;
    if (capacity) {
      this.metrics.readCapacityWaitingFrom(() => capacity.waiting);
      capacity.onWaitEnded((outcome, seconds) => this.metrics.observeCapacityWait(outcome, seconds));
    }
    this.rateLimits.onRefusal((limit) => this.metrics.countRateLimited(limit));
    this.rateLimits.onWindowDroppedEarly((limit) => this.metrics.countRateLimitWindowDroppedEarly(limit));
    this.events.subscribe((event) => this.count(event));
    this.webhooks.onDelivery((outcome) => this.metrics.countWebhookDelivery(outcome));
    this.sessions.onBestShotLetGoEarly(() => this.metrics.countBestShotLetGoEarly());
    this.attempts.onLock(() => this.metrics.countAttemptLock());
    this.metrics.countReviewsPendingFrom(() => this.sessions.countPendingReviews().catch(() => null));
  }

  private count(event: SessionEvent): void {
    switch (event.type) {
      case 'verification.completed': {
        const liveness = event.session.result?.liveness;
        if (liveness) this.metrics.countDecision('liveness', liveness.decision, liveness.reason);
        return;
      }
      case 'biometry.completed': {
        const result = event.session.result;
        if (result) this.metrics.countDecision('biometry', result.decision, result.reason);
        return;
      }
      case 'review.completed': {
        const result = event.session.result;
        if (result) this.metrics.countReviewCompleted(result.decision);
        return;
      }
      case 'verification.failed': {
        const code = event.session.failure?.ozErrorCode;
        if (typeof code === 'number' && OZ_CONTAINER_ERROR_CODES.has(code)) this.metrics.countContainerError(code);
        return;
      }
      default:
        return;
    }
  }
}
