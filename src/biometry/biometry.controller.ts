import { Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Admit } from '../admission/route-policy';
import { BodyLimits } from '../admission/body-limits';
import { RequestId } from '../common/request-context';
import { SessionIdPipe } from '../common/validation';
import type { SessionView } from '../session/session.view';
import { BiometryService } from './biometry.service';
import { readReferenceForm } from './reference-form';

@Controller('v1/sessions/:sessionId/biometry')
export class BiometryController {
  constructor(
    private readonly biometry: BiometryService,
    private readonly limits: BodyLimits,
  ) {}

  /** Multipart is streamed: the service reads the form only once it knows an Oz call could start. */
  @Post()
  @HttpCode(201)
  @Admit.internal({ body: { types: ['multipart/form-data'], limit: 'reference-form' } })
  match(@Param('sessionId', SessionIdPipe) sessionId: string, @Req() request: FastifyRequest, @RequestId() requestId: string): Promise<SessionView> {
    return this.biometry.match(sessionId, () => readReferenceForm(request, this.limits.maxImageBytes), requestId);
  }
}
