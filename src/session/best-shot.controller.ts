import { Controller, Get, Header, Param } from '@nestjs/common';
import { Admit } from '../admission/route-policy';
import { SessionIdPipe } from '../common/validation';
import { SessionLifecycle } from './session-lifecycle';

/** The best shot of an analysed session, for internal callers (docs/api.md §1): never cached. */
@Controller('v1/sessions/:sessionId/best-shot')
export class BestShotController {
  constructor(private readonly lifecycle: SessionLifecycle) {}

  @Get()
  @Admit.internal()
  @Header('content-type', 'image/jpeg')
  @Header('cache-control', 'no-store')
  read(@Param('sessionId', SessionIdPipe) sessionId: string): Promise<Buffer> {
    return this.lifecycle.bestShot(sessionId);
  }
}
