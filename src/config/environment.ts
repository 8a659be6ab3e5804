import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

type EnvironmentClass<T> = new () => T;

/** Every namespace class; `validateEnvironment` checks them all so that one run names every bad variable. */
const namespaceClasses: EnvironmentClass<object>[] = [];

export function registerEnvironmentClass<T extends object>(cls: EnvironmentClass<T>): EnvironmentClass<T> {
  namespaceClasses.push(cls);
  return cls;
}

/** Reads and validates one namespace class from the environment; throws naming every bad variable. */
export function readEnvironment<T extends object>(cls: EnvironmentClass<T>, env: NodeJS.ProcessEnv = process.env): T {
  const { value, errors } = parse(cls, env);
  if (errors.length > 0) throw new InvalidConfigurationError(errors);
  return value;
}

/** The `validate` hook of ConfigModule: all namespaces at once, so the operator sees every bad variable. */
export function validateEnvironment(env: Record<string, unknown>): Record<string, unknown> {
  const errors = namespaceClasses.flatMap((cls) => parse(cls, env as NodeJS.ProcessEnv).errors);
  if (errors.length > 0) throw new InvalidConfigurationError(errors);
  return env;
}

export class InvalidConfigurationError extends Error {
  override readonly name = 'InvalidConfigurationError';

  constructor(readonly lines: string[]) {
    super(`Invalid configuration:\n${lines.join('\n')}`);
  }
}

function parse<T extends object>(cls: EnvironmentClass<T>, env: NodeJS.ProcessEnv): { value: T; errors: string[] } {
  // Empty strings count as unset, as a blank line in an .env file means "use the default".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const value = plainToInstance(cls, present, { exposeDefaultValues: true, excludeExtraneousValues: false });
  const errors = validateSync(value, { forbidUnknownValues: false }).map(describe);
  return { value, errors };
}

function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  return `${error.property}: ${reasons}`;
}
