import { InvalidConfigurationError, loadConfiguration } from './index';

/** What the config specs share (not compiled into dist/: tsconfig.build.json leaves *.spec-kit.ts out). */
export const OZ = 'http://oz-api-instant:8080';

/** The lines of the one error validation throws for `env` (with OZ_API_URL unless it sets one), or [] when it is valid. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfiguration({ OZ_API_URL: OZ, ...env });
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    return error.lines;
  }
}
