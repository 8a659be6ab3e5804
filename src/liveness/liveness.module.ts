import { Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { DecisionModule } from '../decision/decision.module';
import { OzApiModule } from '../oz-api/oz-api.module';
import { OzCapacityModule } from '../oz-capacity/oz-capacity.module';
import { SessionModule } from '../session/session.module';
import { ContainerDiagnostics } from './container-diagnostics';
import { ContainerReceiver } from './container-receiver';
import { LivenessController } from './liveness.controller';
import { LivenessService } from './liveness.service';

@Module({
  imports: [SessionModule, OzApiModule, OzCapacityModule, DecisionModule, AttemptsModule],
  controllers: [LivenessController],
  providers: [LivenessService, ContainerReceiver, ContainerDiagnostics],
})
export class LivenessModule {}
