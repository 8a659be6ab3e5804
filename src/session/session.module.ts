import { Module } from '@nestjs/common';
import { OzApiModule } from '../oz-api/oz-api.module';
import { Clock, SystemClock } from './clock';
import { InMemorySessionStore } from './in-memory-session.store';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';
import { SessionStore } from './session.store';

@Module({
  imports: [OzApiModule],
  controllers: [SessionController],
  providers: [SessionService, { provide: SessionStore, useClass: InMemorySessionStore }, { provide: Clock, useClass: SystemClock }],
  exports: [SessionStore, Clock, OzApiModule],
})
export class SessionModule {}
