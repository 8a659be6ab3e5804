import { Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { OzApiModule } from '../oz-api/oz-api.module';
import { OzCapacityModule } from '../oz-capacity/oz-capacity.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SessionModule } from '../session/session.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { MetricSources } from './metric-sources';
import { Metrics } from './metrics';
import { MetricsServer } from './metrics.server';

/**
 * Prometheus metrics (docs/api.md §9): the registry (`Metrics`), what feeds it (MetricSources)
 * and its listener.
 */
@Module({
  imports: [SessionModule, OzApiModule, OzCapacityModule, RateLimitsModule, WebhooksModule, AttemptsModule],
  providers: [Metrics, MetricSources, MetricsServer],
  exports: [Metrics, MetricsServer],
})
export class MetricsModule {}
