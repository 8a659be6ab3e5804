import { registerAs } from '@nestjs/config';
import { IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { readEnvironment, registerEnvironmentClass } from './environment';
import { ToInt, ToList } from './transforms';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

class HttpEnvironment {
  @ToInt() @IsInt() @Min(0) @Max(65_535)
  PORT = 3000;

  @ToList() @IsArray() @IsString({ each: true })
  INTERNAL_API_KEYS: string[] = [];

  // A browser's Origin is scheme://host[:port] exactly: "https://app.example/" would never match.
  @ToList() @IsArray() @IsString({ each: true })
  @Matches(/^https?:\/\/[^/\s?#]+$/, { each: true, message: 'must list origins such as https://app.example (scheme and host, no path)' })
  CORS_ORIGINS: string[] = [];

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  @IsOptional() @IsString()
  DIAGNOSTICS_DIR?: string;
}
registerEnvironmentClass(HttpEnvironment);

export const httpConfig = registerAs('http', () => {
  const env = readEnvironment(HttpEnvironment);
  return {
    port: env.PORT,
    internalApiKeys: env.INTERNAL_API_KEYS,
    corsOrigins: env.CORS_ORIGINS,
    logLevel: env.LOG_LEVEL,
    diagnosticsDir: env.DIAGNOSTICS_DIR ?? null,
  };
});
export type HttpConfig = ReturnType<typeof httpConfig>;
