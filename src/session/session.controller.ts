import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Admit } from '../admission/route-policy';
import { Caller, type SessionCaller } from '../admission/subject-credentials';
import { RequestId } from '../common/request-context';
import { SessionIdPipe, validateBody } from '../common/validation';
import { ApiProblems, UPSTREAM_PROBLEMS } from '../openapi/api-problems.decorator';
import { RATE_LIMIT_HEADERS } from '../openapi/response-headers';
import { CreateSessionDto } from './dto/create-session.dto';
import { CreatedSessionDto } from './dto/created-session.dto';
import { ApiSessionIdParam } from './dto/session-id.param';
import { SessionViewDto } from './dto/session-view.dto';
import { SessionService } from './session.service';
import { sessionSubjectOf } from './session-subject';

@ApiTags('sessions')
@Controller('v1/sessions')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  @Post()
  @HttpCode(201)
  @Admit.public({ addressLimit: true, subjectCredentials: true, body: { types: ['application/json'], limit: 'json', emptyWithAnyType: true } })
  @ApiOperation({
    operationId: 'createSession',
    summary: 'Start a capture session',
    description:
      "Gets a fresh Oz session token for the Oz SDK. A session accepts one container. Anonymous (the subjectId is the browser's word), or for a vouched subject: with an internal API key (the company's backend; its body's subjectId is trusted, and the address limit does not count it) or a subject token of the company's identity provider (its `sub` is the subject).",
  })
  @ApiBody({ type: CreateSessionDto, required: false, description: 'Optional; an empty body is welcome with any or no Content-Type. No other fields.' })
  @ApiCreatedResponse({ type: CreatedSessionDto, description: 'The session and its Oz token.', headers: RATE_LIMIT_HEADERS })
  @ApiProblems(
    [
      'VALIDATION_FAILED',
      'UNAUTHORIZED',
      'PAYLOAD_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'RATE_LIMITED',
      'ATTEMPTS_EXHAUSTED',
      ...UPSTREAM_PROBLEMS,
      'STORE_UNAVAILABLE',
      'SERVICE_BUSY',
    ],
    { headers: RATE_LIMIT_HEADERS },
  )
  create(@Body() body: unknown, @RequestId() requestId: string, @Caller() caller: SessionCaller): Promise<CreatedSessionDto> {
    const dto = validateBody(CreateSessionDto, body);
    return this.sessions.create(sessionSubjectOf(caller, dto.subjectId ?? null), requestId);
  }

  @Get(':sessionId')
  @Admit.internal()
  @ApiOperation({
    operationId: 'getSession',
    summary: 'Read a session',
    description: 'Status, result with checks and scores, and error. Purged RESULT_TTL_SECONDS after creation.',
  })
  @ApiSessionIdParam()
  @ApiOkResponse({ type: SessionViewDto, description: 'The session.' })
  @ApiProblems(['VALIDATION_FAILED', 'UNAUTHORIZED', 'SESSION_NOT_FOUND', 'STORE_UNAVAILABLE'])
  view(@Param('sessionId', SessionIdPipe) sessionId: string): Promise<SessionViewDto> {
    return this.sessions.view(sessionId);
  }
}
