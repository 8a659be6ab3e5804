import { Module } from '@nestjs/common';
import { OzApiModule } from '../oz-api/oz-api.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { SessionModule } from '../session/session.module';
import { MetricSources } from './metric-sources';
import { Metrics } from './metrics';
import { MetricsServer } from './metrics.server';

/**
 * Prometheus metrics (docs/api.md §9): the registry (`Metrics`, exported so that other modules, such
 * as the webhook sender, count their own outcomes), what feeds it, and its listener.
 */
@Module({
  imports: [SessionModule, OzApiModule, RateLimitsModule],
  providers: [Metrics, MetricSources, MetricsServer],
  exports: [Metrics, MetricsServer],
})
export class MetricsModule {}
