import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerTokenOf } from '../admission/bearer-token';
import { Admit, declaredLengthOf } from '../admission/route-policy';
import { signalWhenClientLeaves } from '../common/client-left';
import { RequestId } from '../common/request-context';
import { SessionIdPipe } from '../common/validation';
import { ApiProblems, UPSTREAM_PROBLEMS } from '../openapi/api-problems.decorator';
import { ApiSessionIdParam } from '../session/dto/session-id.param';
import { LivenessAnswerDto } from './dto/liveness-answer.dto';
import { LivenessService } from './liveness.service';

@ApiTags('liveness')
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
  @ApiOperation({
    operationId: 'uploadContainer',
    summary: 'Upload the container',
    description: 'Forwards the container bytes unchanged to Oz API Instant, records the result on the session and answers with the decision (no scores).',
  })
  @ApiSessionIdParam()
  @ApiConsumes('application/octet-stream')
  @ApiBody({
    required: true,
    description: 'The container bytes exactly as the Oz SDK produced them, at most MAX_CONTAINER_BYTES.',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiCreatedResponse({ type: LivenessAnswerDto, description: 'The decision of this container, with its receipt.' })
  @ApiOkResponse({
    type: LivenessAnswerDto,
    description: 'The same bytes again after a result (a client retry): the first answer, receipt included, without calling Oz.',
  })
  @ApiProblems([
    'VALIDATION_FAILED',
    'CONTAINER_MISSING',
    'UNAUTHORIZED',
    'SESSION_NOT_FOUND',
    'SESSION_ALREADY_USED',
    'SESSION_IN_PROGRESS',
    'SESSION_EXPIRED',
    'NEW_CAPTURE_REQUIRED',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'ATTEMPTS_EXHAUSTED',
    'CONTAINER_INVALID',
    'CONTAINER_PAYLOAD_MISSING',
    'CONTAINER_MEDIA_MISSING',
    'CONTAINER_DAMAGED',
    ...UPSTREAM_PROBLEMS,
    'STORE_UNAVAILABLE',
    'SERVICE_BUSY',
    'RATE_LIMITED',
    'REQUEST_TIMEOUT',
  ])
  async upload(
    @Param('sessionId', SessionIdPipe) sessionId: string,
    @Req() request: FastifyRequest,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LivenessAnswerDto> {
    const token = bearerTokenOf(request.headers) ?? '';
    const upload = {
      sessionId,
      token,
      body: request.raw,
      declaredLength: declaredLengthOf(request.headers),
      address: request.ip,
      requestId,
      abandoned: signalWhenClientLeaves(reply.raw),
    };
    const { replayed, answer } = await this.liveness.upload(upload);
    if (replayed) void reply.status(200);
    return answer;
  }
}
