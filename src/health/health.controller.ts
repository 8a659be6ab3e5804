import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { Admit } from '../admission/route-policy';
import { SessionLifecycle } from '../session/session-lifecycle';
import { ShutdownState } from './shutdown-state';

/** Kubernetes probes. Readiness never depends on Oz: an Oz outage must not empty the load balancer. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly sessions: SessionLifecycle,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get('live')
  @Admit.probe()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @Admit.probe()
  @HealthCheck()
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
