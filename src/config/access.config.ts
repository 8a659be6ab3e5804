import { IsArray, IsString, Matches } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { ToList } from './transforms';

/** Who may call what: the internal API keys and the browser origins of the public routes. */
class AccessEnvironment {
  @ToList()
  @IsArray()
  @IsString({ each: true })
  INTERNAL_API_KEYS: string[] = [];

  // A browser's Origin is scheme://host[:port] exactly: "https://app.example/" would never match.
  @ToList()
  @IsArray()
  @IsString({ each: true })
  @Matches(/^https?:\/\/[^/\s?#]+$/, { each: true, message: 'must list origins such as https://app.example (scheme and host, no path)' })
  CORS_ORIGINS: string[] = [];
}

export const accessConfig = defineNamespace('access', AccessEnvironment, (env) => ({
  internalApiKeys: env.INTERNAL_API_KEYS,
  corsOrigins: env.CORS_ORIGINS,
}));
export type AccessConfig = ValueOf<typeof accessConfig>;
