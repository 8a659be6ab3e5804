import { Module } from '@nestjs/common';
import { DecisionModule } from '../decision/decision.module';
import { SessionModule } from '../session/session.module';
import { BestShotController } from './best-shot.controller';
import { BestShotService } from './best-shot.service';
import { ContainerDiagnostics } from './container-diagnostics';
import { LivenessController } from './liveness.controller';
import { LivenessService } from './liveness.service';

@Module({
  imports: [SessionModule, DecisionModule],
  controllers: [LivenessController, BestShotController],
  providers: [LivenessService, BestShotService, ContainerDiagnostics],
  exports: [BestShotService],
})
export class LivenessModule {}
