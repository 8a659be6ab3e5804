import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { BiometryModule } from './biometry/biometry.module';
import { ApiKeyVerifier } from './common/api-key.verifier';
import { loggerOptions } from './common/logging';
import { ProblemFilter } from './common/problem.filter';
import { configNamespaces, httpConfig, type HttpConfig, validateEnvironment } from './config';
import { DecisionModule } from './decision/decision.module';
import { HealthModule } from './health/health.module';
import { LivenessModule } from './liveness/liveness.module';
import { SessionModule } from './session/session.module';

@Module({})
export class AppModule {
  /** A function, not a static decorator argument, so that the environment is read when the app is built. */
  static forRoot(): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: false, load: configNamespaces, validate: validateEnvironment }),
        LoggerModule.forRootAsync({ inject: [httpConfig.KEY], useFactory: (config: HttpConfig) => loggerOptions(config.logLevel) }),
        SessionModule,
        LivenessModule,
        BiometryModule,
        DecisionModule,
        HealthModule,
      ],
      providers: [ApiKeyVerifier, ProblemFilter, { provide: APP_FILTER, useExisting: ProblemFilter }],
    };
  }
}
