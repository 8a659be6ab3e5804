import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Admit } from '../admission/route-policy';
import { signalWhenClientLeaves } from '../common/client-left';
import { RequestId } from '../common/request-context';
import { SessionIdPipe } from '../common/validation';
import { ApiProblems, UPSTREAM_PROBLEMS } from '../openapi/api-problems.decorator';
import { ApiSessionIdParam } from '../session/dto/session-id.param';
import { BiometryService } from './biometry.service';
import { BiometryAnswerDto } from './dto/biometry-answer.dto';
import { ReferenceFormDto } from './dto/reference-form.dto';
import { ReferenceReceiver } from './reference-receiver';

@ApiTags('biometry')
@Controller('v1/sessions/:sessionId/biometry')
export class BiometryController {
  constructor(
    private readonly biometry: BiometryService,
    private readonly references: ReferenceReceiver,
  ) {}

  /** Multipart is streamed: the service reads the form only once it knows an Oz call could start. */
  @Post()
  @HttpCode(201)
  @Admit.internal({ body: { types: ['multipart/form-data'], limit: 'reference-form' } })
  @ApiOperation({
    operationId: 'matchReference',
    summary: 'Match a reference photo against the best shot',
    description:
      'Only when liveness was accepted and the best shot is still held. May run again with another reference; the latest biometry result replaces the previous one.',
  })
  @ApiSessionIdParam()
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: ReferenceFormDto, required: true, encoding: { reference: { contentType: 'image/jpeg, image/png' } } })
  @ApiCreatedResponse({
    type: BiometryAnswerDto,
    description: 'The session with a biometry check added and the decision recomputed: accepted only if liveness and biometry both succeeded.',
  })
  @ApiProblems([
    'VALIDATION_FAILED',
    'UNAUTHORIZED',
    'SESSION_NOT_FOUND',
    'BEST_SHOT_NOT_FOUND',
    'LIVENESS_NOT_ACCEPTED',
    'BEST_SHOT_EXPIRED',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'REFERENCE_INVALID',
    ...UPSTREAM_PROBLEMS,
    'STORE_UNAVAILABLE',
    'SERVICE_BUSY',
    'RATE_LIMITED',
    'REQUEST_TIMEOUT',
  ])
  match(
    @Param('sessionId', SessionIdPipe) sessionId: string,
    @Req() request: FastifyRequest,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BiometryAnswerDto> {
    return this.biometry.match(sessionId, () => this.references.receive(request), requestId, signalWhenClientLeaves(reply.raw));
  }
}
