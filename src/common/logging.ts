import type { Params } from 'nestjs-pino';
import type { LogLevel } from '../config';

/**
 * Log paths censored wherever they appear. Request lines carry only method, URL and status, and
 * no line is given a body, token or image; these are the second line of defence.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-forensic-access-token"]',
  'req.headers.cookie',
  'sessionToken',
  '*.sessionToken',
  'session_token',
  '*.session_token',
  'token',
  '*.token',
  'container',
  '*.container',
  'bestShot',
  '*.bestShot',
  'reference',
  '*.reference',
  'body',
  '*.body',
  'config',
  '*.config',
];

/**
 * The one pino logger of the service, used by Nest (nestjs-pino) and by the request lines of
 * `request-logging.ts`. No per-request middleware (`forRoutes: []`): request lines come from a
 * Fastify hook, and lines written during a request name their request id themselves.
 */
export function loggerOptions(level: LogLevel, mixin?: () => Record<string, string>): Params {
  return {
    forRoutes: [],
    pinoHttp: {
      level,
      // With tracing on: the trace id of the request in each of its lines.
      ...(mixin ? { mixin } : {}),
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
  };
}
