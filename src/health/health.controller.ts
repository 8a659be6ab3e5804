import { Controller, Get, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Admit } from '../admission/route-policy';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { HealthCheckDto } from './dto/health-check.dto';
import { HealthCheckFailureFilter } from './health-check-failure.filter';
import { ShutdownState } from './shutdown-state';
import { StoreReadiness } from './store-readiness';

/** Terminus answers probes with `Cache-Control: no-cache, no-store, must-revalidate`. */
const NOT_CACHED = { 'Cache-Control': { description: 'Never cached.', schema: { type: 'string', enum: ['no-cache, no-store, must-revalidate'] } } };

/**
 * Kubernetes probes. Readiness depends on nothing every replica shares (Oz, an outage of the
 * store): it fails only while starting and while shutting down (docs/api.md §18).
 */
@ApiTags('health')
@Controller('health')
@UseFilters(HealthCheckFailureFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly store: StoreReadiness,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @Admit.probe()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ operationId: 'probeLive', summary: 'Liveness probe', description: 'While the process can serve requests; no dependency checks.' })
  @ApiOkResponse({ type: HealthCheckDto, description: 'The process serves requests.', headers: NOT_CACHED })
  @ApiProblems([])
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @Admit.probe()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    operationId: 'probeReady',
    summary: 'Readiness probe',
    description:
      'Fails only while starting (until the store, Redis when REDIS_URL is set, answered once) and while shutting down. Never depends on Oz, nor on an outage of the store that every replica shares: the body names it, and the routes answer 503 STORE_UNAVAILABLE.',
  })
  @ApiOkResponse({
    type: HealthCheckDto,
    description: 'Ready: the store answered since the start and the service is not shutting down (store.state says when it does not answer now).',
    headers: NOT_CACHED,
  })
  @ApiServiceUnavailableResponse({
    type: HealthCheckDto,
    description: 'Not ready: the store has not answered since the start, or the service is shutting down.',
    headers: NOT_CACHED,
  })
  @ApiProblems([])
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('store');
        const { reachedOnce, answers } = await this.store.check();
        if (!reachedOnce) return indicator.down({ message: 'the session store has not answered since the start' });
        // Shared by every replica: an outage is told here and answered 503 by the routes, never by the balancer.
        return answers ? indicator.up() : indicator.up({ state: 'unreachable', message: 'the session store does not answer; routes that need it answer 503' });
      },
      () => {
        const indicator = this.indicators.check('lifecycle');
        return this.shutdown.isShuttingDown ? indicator.down({ message: 'shutting down' }) : indicator.up();
      },
    ]);
  }
}
