import { Module } from '@nestjs/common';
import { DecisionService } from './decision.service';

/** The DI wiring of the decision table; the only file of decision/ that knows the framework. */
@Module({ providers: [DecisionService], exports: [DecisionService] })
export class DecisionModule {}
