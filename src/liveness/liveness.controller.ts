import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequestId } from '../common/request-context';
import { Policy } from '../common/route-policy';
import { SessionIdPipe } from '../common/validation';
import type { LivenessAnswer } from '../session/session.view';
import { type ContainerBody, containerBodyOf } from './container-body';
import { LivenessService } from './liveness.service';

const EMPTY_CONTAINER = containerBodyOf(Buffer.alloc(0));

@Controller('v1/sessions/:sessionId/liveness')
export class LivenessController {
  constructor(private readonly liveness: LivenessService) {}

  /** The body comes from the octet-stream parser of `app.setup.ts` (read, hashed, capped at MAX_CONTAINER_BYTES). */
  @Post()
  @HttpCode(201)
  @Policy({ bodyTypes: ['application/octet-stream'], analysis: true })
  async upload(
    @Param('sessionId', SessionIdPipe) sessionId: string,
    @Body() body: ContainerBody | undefined,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LivenessAnswer> {
    const container = body ?? EMPTY_CONTAINER;
    const { replayed, answer } = await this.liveness.upload({ sessionId, container, requestId });
    if (replayed) void reply.status(200);
    return answer;
  }
}
