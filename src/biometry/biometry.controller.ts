import { Controller, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestId } from '../common/request-context';
import { Policy } from '../common/route-policy';
import { SessionIdPipe } from '../common/validation';
import { limitsConfig, type LimitsConfig } from '../config';
import type { SessionView } from '../session/session.view';
import { BiometryService } from './biometry.service';
import { DeclaredSizeGuard } from './declared-size.guard';
import { readReferenceForm } from './reference-form';

@Controller('v1/sessions/:sessionId/biometry')
export class BiometryController {
  constructor(
    private readonly biometry: BiometryService,
    @Inject(limitsConfig.KEY) private readonly limits: LimitsConfig,
  ) {}

  @Post()
  @HttpCode(201)
  @Policy({ internal: true, bodyTypes: ['multipart/form-data'], analysis: true })
  @UseGuards(DeclaredSizeGuard)
  async match(
    @Param('sessionId', SessionIdPipe) sessionId: string,
    @Req() request: FastifyRequest,
    @RequestId() requestId: string,
  ): Promise<SessionView> {
    const form = await readReferenceForm(request, this.limits.maxImageBytes);
    return this.biometry.match(sessionId, form, requestId);
  }
}
