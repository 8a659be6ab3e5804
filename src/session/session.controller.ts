import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Admit } from '../admission/route-policy';
import { RequestId } from '../common/request-context';
import { SessionIdPipe, validateBody } from '../common/validation';
import { CreateSessionDto } from './dto/create-session.dto';
import { type CreatedSession, SessionService } from './session.service';
import type { SessionView } from './session.view';

@Controller('v1/sessions')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  @Post()
  @HttpCode(201)
  @Admit.public({ addressLimit: true, body: { types: ['application/json'], limit: 'json', emptyWithAnyType: true } })
  create(@Body() body: unknown, @RequestId() requestId: string): Promise<CreatedSession> {
    const dto = validateBody(CreateSessionDto, body);
    return this.sessions.create(dto.subjectId ?? null, requestId);
  }

  @Get(':sessionId')
  @Admit.internal()
  view(@Param('sessionId', SessionIdPipe) sessionId: string): Promise<SessionView> {
    return this.sessions.view(sessionId);
  }
}
