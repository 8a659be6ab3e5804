import { getConfigToken } from '@nestjs/config';
import type { EnvironmentClass } from './environment';

/**
 * One concern's configuration: the class that validates its variables and the function that
 * turns them into what the code reads. `KEY` is the injection token:
 * `@Inject(ozConfig.KEY) config: OzConfig`.
 */
export interface Namespace<Name extends string, Env extends object, Value> {
  readonly name: Name;
  readonly KEY: string;
  readonly environment: EnvironmentClass<Env>;
  readonly read: (env: Env) => Value;
}

export function defineNamespace<Name extends string, Env extends object, Value>(
  name: Name,
  environment: EnvironmentClass<Env>,
  read: (env: Env) => Value,
): Namespace<Name, Env, Value> {
  return { name, KEY: getConfigToken(name), environment, read };
}

export type ValueOf<N> = N extends { read: (env: never) => infer Value } ? Value : never;
