import { type DynamicModule } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { accessConfig } from './access.config';
import { attemptsConfig } from './attempts.config';
import { diagnosticsConfig } from './diagnostics.config';
import { InvalidConfigurationError, parseEnvironment } from './environment';
import { httpConfig } from './http.config';
import { limitsConfig } from './limits.config';
import { loggingConfig } from './logging.config';
import { metricsConfig } from './metrics.config';
import type { ValueOf } from './namespace';
import { ozConfig } from './oz.config';
import { ozCapacityConfig } from './oz-capacity.config';
import { rateLimitsConfig } from './rate-limits.config';
import { receiptsConfig } from './receipts.config';
import { redisConfig } from './redis.config';
import { reviewsConfig } from './reviews.config';
import { sessionsConfig } from './sessions.config';
import { shutdownConfig } from './shutdown.config';
import { subjectsConfig } from './subjects.config';
import { tracingConfig } from './tracing.config';
import { webhooksConfig } from './webhooks.config';

/** Every namespace of the service, one per concern (docs/api.md §5). */
export const NAMESPACES = [
  httpConfig,
  ozConfig,
  ozCapacityConfig,
  limitsConfig,
  sessionsConfig,
  accessConfig,
  loggingConfig,
  diagnosticsConfig,
  redisConfig,
  rateLimitsConfig,
  metricsConfig,
  webhooksConfig,
  receiptsConfig,
  tracingConfig,
  shutdownConfig,
  subjectsConfig,
  attemptsConfig,
  reviewsConfig,
] as const;

type Namespaces = (typeof NAMESPACES)[number];
export type Configuration = { [N in Namespaces as N['name']]: ValueOf<N> };

/**
 * Reads and validates the whole environment once, at start: every bad variable of every
 * namespace is named in one InvalidConfigurationError, one line each.
 */
export function loadConfiguration(env: NodeJS.ProcessEnv): Configuration {
  const parsed = NAMESPACES.map((namespace) => ({ namespace, ...parseEnvironment<object>(namespace.environment, env) }));
  const errors = parsed.flatMap((entry) => entry.errors);
  if (errors.length > 0) throw new InvalidConfigurationError(errors);
  // Each read() gets the instance its own class validated.
  return Object.fromEntries(parsed.map(({ namespace, value }) => [namespace.name, (namespace.read as (env: object) => unknown)(value)])) as Configuration;
}

/** The namespaces as @nestjs/config providers, injectable anywhere as `@Inject(ozConfig.KEY)`. */
export function configurationModule(configuration: Configuration): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    load: NAMESPACES.map((namespace) => registerAs(namespace.name, () => configuration[namespace.name])),
  });
}
