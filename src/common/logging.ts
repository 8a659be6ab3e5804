import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { LogLevel } from '../config/http.config';

/**
 * Log paths censored wherever they appear. The request serializer below already keeps only
 * id, method and URL; these are the second line of defence for anything logged by hand.
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

interface SerializedRequest {
  id: string;
  method: string;
  url: string;
}

export function loggerOptions(level: LogLevel): Params {
  return {
    pinoHttp: {
      level,
      // Fastify's genReqId (app.setup.ts) put the sane request id on the raw request.
      genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id: string }).id,
      quietReqLogger: true,
      customAttributeKeys: { reqId: 'requestId' },
      // Nest's middleware layer rewrites req.url; originalUrl is the path the probe asked for.
      autoLogging: { ignore: (req: IncomingMessage & { originalUrl?: string }) => (req.originalUrl ?? req.url ?? '').startsWith('/health/') },
      // A 5xx is worth an operator's attention; 4xx are the callers' mistakes. Successful requests
      // are debug: each analysis already writes its own line, and a line per request on the hot
      // path costs more CPU than the rest of a session-token call (bench/RESULTS.md).
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => {
        if (error || res.statusCode >= 500) return 'error';
        return res.statusCode >= 400 ? 'info' : 'debug';
      },
      // pino-http invents an Error (with its own stack) for every 5xx, or passes a real one that
      // may hold request data; the status says enough, and defects get their own line (ProblemFilter).
      customErrorObject: (_req: IncomingMessage, _res: ServerResponse, _error: Error, value: Record<string, unknown>) => {
        const { err: _dropped, ...rest } = value;
        return rest;
      },
      customErrorMessage: () => 'request failed',
      serializers: {
        req: (req: SerializedRequest) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
  };
}
