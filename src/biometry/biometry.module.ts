import { Module } from '@nestjs/common';
import { DecisionModule } from '../decision/decision.module';
import { LivenessModule } from '../liveness/liveness.module';
import { SessionModule } from '../session/session.module';
import { BiometryController } from './biometry.controller';
import { BiometryService } from './biometry.service';

@Module({
  imports: [SessionModule, DecisionModule, LivenessModule],
  controllers: [BiometryController],
  providers: [BiometryService],
})
export class BiometryModule {}
