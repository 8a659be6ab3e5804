import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

export type EnvironmentClass<T extends object = object> = new () => T;

/** The variables of one namespace, read from the environment and checked: every bad variable is named. */
export function parseEnvironment<T extends object>(cls: EnvironmentClass<T>, env: NodeJS.ProcessEnv): { value: T; errors: string[] } {
  // Empty strings count as unset, as a blank line in an .env file means "use the default".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const value = plainToInstance(cls, present, { exposeDefaultValues: true, excludeExtraneousValues: false });
  const errors = validateSync(value, { forbidUnknownValues: false }).map(describe);
  return { value, errors };
}

export class InvalidConfigurationError extends Error {
  override readonly name = 'InvalidConfigurationError';

  constructor(readonly lines: string[]) {
    super(`Invalid configuration:\n${lines.join('\n')}`);
  }
}

/** One line per variable, naming it and the rule it broke; never the value, which may be a secret. */
function describe(error: ValidationError): string {
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  return `${error.property}: ${reasons}`;
}
