import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Admit } from '../admission/route-policy';
import { SessionIdPipe } from '../common/validation';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { ApiSessionIdParam } from './dto/session-id.param';
import { SessionLifecycle } from './session-lifecycle';

/** The best shot of an analysed session, for internal callers (docs/api.md §1): never cached. */
@ApiTags('sessions')
@Controller('v1/sessions/:sessionId/best-shot')
export class BestShotController {
  constructor(private readonly lifecycle: SessionLifecycle) {}

  @Get()
  @Admit.internal()
  @Header('content-type', 'image/jpeg')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    operationId: 'getBestShot',
    summary: 'Read the best shot',
    description: 'Of any analysed session whose result had one, whatever the decision, while held (BEST_SHOT_TTL_SECONDS).',
  })
  @ApiSessionIdParam()
  @ApiOkResponse({
    description: 'The best shot, byte for byte as Oz returned it.',
    headers: { 'Cache-Control': { description: 'Never cached.', schema: { type: 'string', enum: ['no-store'] } } },
    content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems(['VALIDATION_FAILED', 'UNAUTHORIZED', 'SESSION_NOT_FOUND', 'BEST_SHOT_NOT_FOUND', 'BEST_SHOT_EXPIRED', 'STORE_UNAVAILABLE'])
  read(@Param('sessionId', SessionIdPipe) sessionId: string): Promise<Buffer> {
    return this.lifecycle.bestShot(sessionId);
  }
}
