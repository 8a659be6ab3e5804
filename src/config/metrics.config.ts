import { IsInt, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { DiffersFromVariable } from './rules';
import { ToInt } from './transforms';

class MetricsEnvironment {
  /** 0: a port of the system's choice (tests run many services at once). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(65_535)
  @DiffersFromVariable('PORT')
  METRICS_PORT = 9464;

  /** Read here only to keep the two ports apart; the http namespace validates it. */
  @ToInt()
  PORT = 3000;
}

export const metricsConfig = defineNamespace('metrics', MetricsEnvironment, (env) => ({ port: env.METRICS_PORT }));
export type MetricsConfig = ValueOf<typeof metricsConfig>;
