import { Module } from '@nestjs/common';
import { AttemptsModule } from '../attempts/attempts.module';
import { DecisionModule } from '../decision/decision.module';
import { OzApiModule } from '../oz-api/oz-api.module';
import { OzCapacityModule } from '../oz-capacity/oz-capacity.module';
import { SessionModule } from '../session/session.module';
import { BiometryController } from './biometry.controller';
import { BiometryService } from './biometry.service';
import { ReferenceReceiver } from './reference-receiver';

@Module({
  imports: [SessionModule, OzApiModule, OzCapacityModule, DecisionModule, AttemptsModule],
  controllers: [BiometryController],
  providers: [BiometryService, ReferenceReceiver],
})
export class BiometryModule {}
