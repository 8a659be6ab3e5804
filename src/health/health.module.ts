import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { SessionModule } from '../session/session.module';
import { HealthController } from './health.controller';
import { ShutdownState } from './shutdown-state';
import { StoreReadiness } from './store-readiness';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), SessionModule],
  controllers: [HealthController],
  providers: [ShutdownState, StoreReadiness],
})
export class HealthModule {}
