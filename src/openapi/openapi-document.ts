import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SECURITY_SCHEMES } from '../admission/security-schemes';
import { headerRef, RESPONSE_HEADERS } from './response-headers';

const DESCRIPTION = [
  'Between company frontends and Oz API Instant: Oz session tokens, liveness decisions that a frontend cannot forge, face matching against the best shot, signed decision receipts.',
  '',
  '**Public** routes are called by browsers and apps and never show scores, images or upstream details. **Internal** routes need an API key (`Authorization: Bearer <key>` or `X-Api-Key: <key>`).',
  '',
  "Every error is `application/problem+json` (RFC 9457) with a stable `code`, `requestId` and `retryable`. When several errors apply, the first in this order wins: 401 (a missing key or session token), 429, 415, 413, 400, 404, 401 (a token that is not the session's), 410, 409, 422. Every answer carries `X-Request-Id`.",
].join('\n');

const TAGS: [string, string][] = [
  ['sessions', 'Capture sessions and what internal callers read of them.'],
  ['liveness', 'The container upload (public).'],
  ['biometry', 'Face matching of a reference photo against the best shot (internal).'],
  ['subjects', 'The failed attempts of vouched subjects (internal).'],
  ['reviews', 'Human review of the decisions Oz could not settle (internal).'],
  ['receipts', 'The key that verifies decision receipts.'],
  ['health', 'Kubernetes probes.'],
  ['openapi', 'This document.'],
];

/**
 * The API document of the application's routes, from their decorators. Its key order is fixed
 * (paths and schemas sorted), so that the committed docs/openapi.json can be compared byte for byte.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.0.3')
    .setTitle('Oz liveness verification service')
    .setDescription(DESCRIPTION)
    .setVersion('1.1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'The service that serves this document');
  for (const [name, description] of TAGS) builder.addTag(name, description);
  for (const [name, scheme] of Object.entries(SECURITY_SCHEMES)) builder.addSecurity(name, scheme);
  const built = builder.build();
  // DocumentBuilder starts with an empty contact object; the contract names no contact.
  const { contact: _none, ...info } = built.info;
  const config = { ...built, info, components: { ...built.components, headers: RESPONSE_HEADERS } };
  const document = SwaggerModule.createDocument(app, config, { autoTagControllers: false });
  addRequestIdHeaders(document);
  return inStableOrder(document);
}

/** The document as committed: two-space JSON and a final newline. */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Every answer carries X-Request-Id (the onRequest hook of app.setup.ts sets it before anything else). */
function addRequestIdHeaders(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      for (const response of Object.values((operation as { responses: Record<string, { headers?: object }> }).responses)) {
        response.headers = { 'X-Request-Id': headerRef('X-Request-Id'), ...response.headers };
      }
    }
  }
}

function inStableOrder(document: OpenAPIObject): OpenAPIObject {
  const { openapi, info, servers, tags, paths, components, ...rest } = document;
  const sortedComponents = Object.fromEntries(Object.entries(components ?? {}).map(([kind, entries]) => [kind, sortedByKey(entries as object)]));
  return { openapi, info, servers, tags, ...rest, paths: sortedByKey(paths), components: sortedByKey(sortedComponents) };
}

function sortedByKey<T extends object>(map: T): T {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) as T;
}
