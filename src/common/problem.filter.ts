import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { noteProblemCode } from './answered-problems';
import { lingerOnClose } from './lingering-close';
import { type Problem, toProblem } from './problem';

/**
 * The one place that writes error responses: errors raised in controllers, pipes and guards, and
 * Fastify's own (body parsing, our onRequest hook), which Nest's Fastify error handler hands to
 * the global filters. Errors before routing (a malformed URL) use `toProblem` in app.setup.ts.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.reply(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  reply(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const problem = toProblem(exception, request.id);
    // Refused before its body was read (401, 404, 413, 503…): close instead of reading and
    // discarding the rest of an upload to keep the connection alive (Node's default).
    if (!request.raw.complete || problem.headers.connection === 'close') {
      problem.headers.connection = 'close';
      lingerOnClose(request.raw);
    }
    if (problem.internal) {
      const error = exception instanceof Error ? exception : new Error('non-error thrown');
      this.logger.error({ requestId: request.id, err: { type: error.name, message: error.message, stack: error.stack } }, 'unexpected error');
    }
    noteProblemCode(request.raw, problem.body.code);
    if (!reply.sent) sendProblem(reply, problem);
  }
}

/** Writes a problem+json answer: the filter's, and Fastify's errors before routing (app.setup.ts). */
export function sendProblem(reply: FastifyReply, problem: Problem): void {
  void reply.status(problem.status).headers(problem.headers).header('content-type', 'application/problem+json').send(problem.body);
}
