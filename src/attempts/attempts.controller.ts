import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Admit } from '../admission/route-policy';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { Clock } from '../session/clock';
import { AttemptLimits } from './attempt-limits';
import { AttemptStatusDto } from './dto/attempt-status.dto';
import { ApiSubjectIdParam, SubjectIdPipe } from '../common/subject-id';

@ApiTags('subjects')
@Controller('v1/subjects/:subjectId/attempts')
export class AttemptsController {
  constructor(
    private readonly attempts: AttemptLimits,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Admit.internal()
  @ApiOperation({
    operationId: 'getSubjectAttempts',
    summary: "A vouched subject's failed attempts",
    description: 'Failures within the window, the limit and, while locked, when the lock ends.',
  })
  @ApiSubjectIdParam()
  @ApiOkResponse({ type: AttemptStatusDto, description: 'The subject’s attempts; a subject never seen has none.' })
  @ApiProblems(['VALIDATION_FAILED', 'UNAUTHORIZED', 'STORE_UNAVAILABLE'])
  status(@Param('subjectId', SubjectIdPipe) subjectId: string): Promise<AttemptStatusDto> {
    return this.attempts.status(subjectId, this.clock.now());
  }

  @Delete()
  @HttpCode(204)
  @Admit.internal()
  @ApiOperation({
    operationId: 'forgetSubjectAttempts',
    summary: "Forget a subject's failed attempts",
    description: 'For a support agent who checked the person another way: the failures are forgotten and any lock ends.',
  })
  @ApiSubjectIdParam()
  @ApiNoContentResponse({ description: 'Forgotten.' })
  @ApiProblems(['VALIDATION_FAILED', 'UNAUTHORIZED', 'STORE_UNAVAILABLE'])
  async forget(@Param('subjectId', SubjectIdPipe) subjectId: string): Promise<void> {
    await this.attempts.forget(subjectId);
  }
}
