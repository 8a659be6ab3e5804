import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AdmissionModule } from './admission/admission.module';
import { AttemptsModule } from './attempts/attempts.module';
import { BiometryModule } from './biometry/biometry.module';
import { loggerOptions } from './common/logging';
import { ProblemFilter } from './common/problem.filter';
import { type Configuration, configurationModule, loggingConfig, type LoggingConfig } from './config';
import { DecisionModule } from './decision/decision.module';
import { HealthModule } from './health/health.module';
import { LivenessModule } from './liveness/liveness.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpenApiModule } from './openapi/openapi.module';
import { ReceiptsModule } from './receipts/receipts.module';
import { RedisModule } from './redis/redis.module';
import { ReviewModule } from './review/review.module';
import { SessionModule } from './session/session.module';
import { traceLogMixin } from './tracing/log-correlation';
import { TracingModule } from './tracing/tracing.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  /** The configuration is loaded (and validated) once, before the application is built. */
  static forRoot(configuration: Configuration): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configurationModule(configuration),
        LoggerModule.forRootAsync({ inject: [loggingConfig.KEY], useFactory: (config: LoggingConfig) => loggerOptions(config.level, traceLogMixin()) }),
        RedisModule,
        AdmissionModule,
        SessionModule,
        AttemptsModule,
        LivenessModule,
        BiometryModule,
        ReviewModule,
        DecisionModule,
        ReceiptsModule,
        HealthModule,
        OpenApiModule,
        MetricsModule,
        TracingModule,
        WebhooksModule,
      ],
      providers: [ProblemFilter, { provide: APP_FILTER, useExisting: ProblemFilter }],
    };
  }
}
