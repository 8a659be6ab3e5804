import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, getDiagnosticSeverity, type RulesetDefinition, Spectral } from '@stoplight/spectral-core';
import { Json as JsonParser } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { startApp, type TestApp } from '../app.factory';
import { call } from './http';
import { BODY, CONTRACT_BODIES, CONTRACT_ROUTES, INTERNAL_ROUTES, PROBLEM_FIELDS, SESSION_ID_ROUTES } from './openapi.contract';
import { dereference, hasField, type Json, operationOf, operationsOf, propertiesOf, refsIn } from './openapi.walk';

const COMMITTED = join(__dirname, '..', '..', 'docs', 'openapi.json');
const PROBLEM_JSON = 'application/problem+json';

describe('GET /openapi.json', () => {
  let service: TestApp;
  let document: Json;

  beforeAll(async () => {
    service = await startApp({ OZ_API_URL: 'http://oz.invalid' });
    const answer = await call(`${service.url}/openapi.json`);
    expect(answer.status).toBe(200);
    document = answer.body;
  });
  afterAll(() => service.close());

  const responsesOf = (route: string): Json => operationOf(document, route).responses;

  it('answers 200 JSON without a key, with a request id', async () => {
    const answer = await call(`${service.url}/openapi.json`, { headers: { 'x-request-id': 'doc-1' } });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('x-request-id')).toBe('doc-1');
    expect(answer.body).toEqual(document);
  });

  it('is an OpenAPI 3 document that Spectral finds no error in', async () => {
    expect(document.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(document.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.any(String) }));
    const spectral = new Spectral();
    // The package's declared type of `oas` does not match the RulesetDefinition union it is an instance of.
    spectral.setRuleset({ extends: [[oas as RulesetDefinition, 'recommended']] });

    const results = await spectral.run(new Document(JSON.stringify(document), JsonParser, 'openapi.json'));

    expect(
      results
        .filter((result) => result.severity === getDiagnosticSeverity('error'))
        .map((result) => `${result.code}: ${result.message} at ${result.path.join('.')}`),
    ).toEqual([]);
  });

  it('is the document committed as docs/openapi.json, in the same key order and format', () => {
    const committed = readFileSync(COMMITTED, 'utf8');

    expect(JSON.parse(committed)).toEqual(document);
    expect(committed).toBe(`${JSON.stringify(document, null, 2)}\n`);
  });

  it('documents exactly the routes of docs/api.md §1, §2, §11 and §12', () => {
    expect(
      operationsOf(document)
        .map((op) => op.route)
        .sort(),
    ).toEqual(Object.keys(CONTRACT_ROUTES).sort());
  });

  it.each(Object.entries(CONTRACT_ROUTES))('documents every status of %s, with the problem codes the contract gives each', (route, expected) => {
    const responses = responsesOf(route);
    expect(Object.keys(responses).sort()).toEqual(Object.keys(expected).sort());

    for (const [status, codes] of Object.entries(expected)) {
      const content = (responses[status] as Json).content as Json;
      if (codes === BODY) {
        expect({ status, types: Object.keys(content ?? {}) }).toEqual({ status, types: expect.not.arrayContaining([PROBLEM_JSON]) });
        continue;
      }
      expect({ status, types: Object.keys(content) }).toEqual({ status, types: [PROBLEM_JSON] });
      const schema = content[PROBLEM_JSON].schema as Json;
      expect({ status, codes: [...(propertiesOf(document, schema).code.enum as string[])].sort() }).toEqual({ status, codes: [...codes].sort() });
      expect({ status, statuses: propertiesOf(document, schema).status.enum }).toEqual({ status, statuses: [Number(status)] });
      expect({ status, examples: Object.keys(content[PROBLEM_JSON].examples as Json).sort() }).toEqual({ status, examples: [...codes].sort() });
    }
  });

  it('gives every response and every request body a schema for each of its media types', () => {
    const bodies = operationsOf(document).flatMap(({ route, operation }) => [
      ...Object.entries(operation.responses as Json).map(([status, response]) => [`${route} ${status}`, dereference(document, response as Json)] as const),
      ...(operation.requestBody ? [[`${route} request`, operation.requestBody as Json] as const] : []),
    ]);
    expect(bodies.length).toBeGreaterThan(Object.keys(CONTRACT_ROUTES).length);

    // A 204 has no body (RFC 9110), hence no media type.
    for (const [where, body] of bodies.filter(([where]) => !where.endsWith(' 204'))) {
      const media = Object.entries((body.content ?? {}) as Json);
      expect({ where, media: media.length > 0 }).toEqual({ where, media: true });
      for (const [type, entry] of media) expect({ where, type, schema: typeof (entry as Json).schema }).toEqual({ where, type, schema: 'object' });
    }
  });

  it('resolves every $ref it uses', () => {
    const refs = [...new Set(refsIn(document))];
    expect(refs.length).toBeGreaterThan(10);

    for (const ref of refs) expect(() => dereference(document, { $ref: ref })).not.toThrow();
  });

  it('describes problems with every field of docs/api.md §3', () => {
    const problem = propertiesOf(document, responsesOf('GET /v1/sessions/{sessionId}')['404'].content[PROBLEM_JSON].schema as Json);

    expect(Object.keys(problem).sort()).toEqual([...PROBLEM_FIELDS].sort());
  });

  it.each(CONTRACT_BODIES)('describes the %s %s body with every field the contract names', (route, status, fields) => {
    const schema = responsesOf(route)[status].content['application/json'].schema as Json;

    expect(fields.filter((field) => !hasField(document, schema, field))).toEqual([]);
  });

  it('documents the container upload as octet-stream bytes and the reference as a multipart form', () => {
    const upload = operationOf(document, 'POST /v1/sessions/{sessionId}/liveness').requestBody as Json;
    const form = operationOf(document, 'POST /v1/sessions/{sessionId}/biometry').requestBody as Json;
    const fields = propertiesOf(document, form.content['multipart/form-data'].schema as Json);

    expect(upload).toEqual(
      expect.objectContaining({ required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }),
    );
    expect(Object.keys(form.content as Json)).toEqual(['multipart/form-data']);
    expect(fields.reference).toEqual(expect.objectContaining({ type: 'string', format: 'binary' }));
    expect(fields.referenceType).toEqual(expect.objectContaining({ enum: ['document', 'selfie'], default: 'document' }));
    expect(dereference(document, form.content['multipart/form-data'].schema as Json).required).toEqual(['reference']);
  });

  it('documents the optional JSON body of POST /v1/sessions and the UUID sessionId of every session route', () => {
    const create = operationOf(document, 'POST /v1/sessions').requestBody as Json;
    expect(create.required).toBe(false);
    expect(propertiesOf(document, create.content['application/json'].schema as Json).subjectId).toEqual(expect.objectContaining({ type: 'string' }));

    for (const route of SESSION_ID_ROUTES) {
      const parameters = operationOf(document, route).parameters as Json[];
      expect({ route, parameters }).toEqual({
        route,
        parameters: [expect.objectContaining({ name: 'sessionId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } })],
      });
    }
  });

  it('asks internal routes for a key (Bearer or X-Api-Key), the upload for its session token, and nothing of the others', () => {
    const schemes = document.components.securitySchemes as Json;
    // An empty requirement: the route may also be called without credentials.
    const schemeOf = (requirement: Json) => (Object.keys(requirement).length === 0 ? { type: 'none' } : (schemes[Object.keys(requirement)[0]] as Json));

    for (const { route, operation } of operationsOf(document)) {
      const used = ((operation.security ?? []) as Json[])
        .map(schemeOf)
        .map(({ type, scheme, in: where, name, bearerFormat }) => ({ type, scheme, in: where, name, bearerFormat }));
      const expected = INTERNAL_ROUTES.includes(route)
        ? [
            { type: 'http', scheme: 'bearer' },
            { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
          ]
        : route === 'POST /v1/sessions/{sessionId}/liveness'
          ? [{ type: 'http', scheme: 'bearer' }]
          : route === 'POST /v1/sessions'
            ? [
                { type: 'none' },
                { type: 'http', scheme: 'bearer' },
                { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
                { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
              ]
            : [];
      expect({ route, used }).toEqual({ route, used: expected.map((scheme) => expect.objectContaining(scheme)) });
    }
    const internalSchemes = new Set(INTERNAL_ROUTES.flatMap((route) => (operationOf(document, route).security as Json[]).flatMap(Object.keys)));
    const uploadSchemes = (operationOf(document, 'POST /v1/sessions/{sessionId}/liveness').security as Json[]).flatMap(Object.keys);
    expect(uploadSchemes.filter((name) => internalSchemes.has(name))).toEqual([]);
  });

  it('documents X-Request-Id on every answer, WWW-Authenticate on 401, Retry-After on 429 and 503, RateLimit-* on POST /v1/sessions', () => {
    const headersOf = (route: string, status: string) => Object.keys((responsesOf(route)[status] as Json).headers ?? {});

    for (const { route } of operationsOf(document)) {
      for (const [status, codes] of Object.entries(CONTRACT_ROUTES[route])) {
        const expected = ['X-Request-Id'];
        if (status === '401') expected.push('WWW-Authenticate');
        if (codes !== BODY && (status === '429' || status === '503')) expected.push('Retry-After');
        if (route === 'POST /v1/sessions') expected.push('RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset');
        expect({ route, status, headers: headersOf(route, status) }).toEqual({ route, status, headers: expect.arrayContaining(expected) });
      }
    }
    expect(dereference(document, responsesOf('GET /v1/sessions/{sessionId}/best-shot')['200'].headers['Cache-Control'] as Json).schema.enum).toEqual([
      'no-store',
    ]);
  });
});
