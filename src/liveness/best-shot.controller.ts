import { Controller, Get, Header, Param } from '@nestjs/common';
import { Policy } from '../common/route-policy';
import { SessionIdPipe } from '../common/validation';
import { BestShotService } from './best-shot.service';

@Controller('v1/sessions/:sessionId/best-shot')
export class BestShotController {
  constructor(private readonly bestShots: BestShotService) {}

  @Get()
  @Policy({ internal: true })
  @Header('content-type', 'image/jpeg')
  @Header('cache-control', 'no-store')
  read(@Param('sessionId', SessionIdPipe) sessionId: string): Promise<Buffer> {
    return this.bestShots.read(sessionId);
  }
}
