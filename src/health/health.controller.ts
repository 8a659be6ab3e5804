import { Controller, Get, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Admit } from '../admission/route-policy';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { SessionLifecycle } from '../session/session-lifecycle';
import { HealthCheckDto } from './dto/health-check.dto';
import { HealthCheckFailureFilter } from './health-check-failure.filter';
import { ShutdownState } from './shutdown-state';

/** Terminus answers probes with `Cache-Control: no-cache, no-store, must-revalidate`. */
const NOT_CACHED = { 'Cache-Control': { description: 'Never cached.', schema: { type: 'string', enum: ['no-cache, no-store, must-revalidate'] } } };

/** Kubernetes probes. Readiness never depends on Oz: an Oz outage must not empty the load balancer. */
@ApiTags('health')
@Controller('health')
@UseFilters(HealthCheckFailureFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly sessions: SessionLifecycle,
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
      "The service's own dependencies (its store: Redis when REDIS_URL is set, answering a PING within 1 s) and not shutting down. Never depends on Oz.",
  })
  @ApiOkResponse({ type: HealthCheckDto, description: 'Ready: the store answers and the service is not shutting down.', headers: NOT_CACHED })
  @ApiServiceUnavailableResponse({
    type: HealthCheckDto,
    description: 'Not ready: the store does not answer, or the service is shutting down.',
    headers: NOT_CACHED,
  })
  @ApiProblems([])
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const indicator = this.indicators.check('store');
        const healthy = await this.sessions.storeAnswers();
        return healthy ? indicator.up() : indicator.down({ message: 'the session store does not answer' });
      },
      () => {
        const indicator = this.indicators.check('lifecycle');
        return this.shutdown.isShuttingDown ? indicator.down({ message: 'shutting down' }) : indicator.up();
      },
    ]);
  }
}
