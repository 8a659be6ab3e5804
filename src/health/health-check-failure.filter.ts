import { type ArgumentsHost, Catch, type ExceptionFilter, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * Terminus throws a failed check as ServiceUnavailableException carrying the terminus body; the
 * global problem filter would turn it into 500 INTERNAL_ERROR. Probes answer it as it is: 503 in
 * the terminus format (docs/api.md §2), never cached.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckFailureFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(503).header('cache-control', 'no-cache, no-store, must-revalidate').send(exception.getResponse());
  }
}
