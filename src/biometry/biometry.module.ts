import { Module } from '@nestjs/common';
import { DecisionModule } from '../decision/decision.module';
import { OzApiModule } from '../oz-api/oz-api.module';
import { SessionModule } from '../session/session.module';
import { BiometryController } from './biometry.controller';
import { BiometryService } from './biometry.service';
import { ReferenceReceiver } from './reference-receiver';

@Module({
  imports: [SessionModule, OzApiModule, DecisionModule],
  controllers: [BiometryController],
  providers: [BiometryService, ReferenceReceiver],
})
export class BiometryModule {}
