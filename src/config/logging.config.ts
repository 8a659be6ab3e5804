import { IsIn } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

class LoggingEnvironment {
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';
}

export const loggingConfig = defineNamespace('logging', LoggingEnvironment, (env) => ({ level: env.LOG_LEVEL }));
export type LoggingConfig = ValueOf<typeof loggingConfig>;
