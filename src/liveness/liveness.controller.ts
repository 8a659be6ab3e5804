import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerTokenOf } from '../admission/bearer-token';
import { Admit, declaredLengthOf } from '../admission/route-policy';
import { RequestId } from '../common/request-context';
import { SessionIdPipe } from '../common/validation';
import type { LivenessAnswer } from './liveness-answer';
import { LivenessService } from './liveness.service';

@Controller('v1/sessions/:sessionId/liveness')
export class LivenessController {
  constructor(private readonly liveness: LivenessService) {}

  /**
   * The body is left unread by the octet-stream parser (app.setup.ts): the service looks the
   * session up first and reads the container only for a session that exists and is this caller's.
   */
  @Post()
  @HttpCode(201)
  @Admit.public({ sessionToken: true, body: { types: ['application/octet-stream'], limit: 'container' } })
  async upload(
    @Param('sessionId', SessionIdPipe) sessionId: string,
    @Req() request: FastifyRequest,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LivenessAnswer> {
    const token = bearerTokenOf(request.headers) ?? '';
    const upload = { sessionId, token, body: request.raw, declaredLength: declaredLengthOf(request.headers), requestId };
    const { replayed, answer } = await this.liveness.upload(upload);
    if (replayed) void reply.status(200);
    return answer;
  }
}
