import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { Answer } from './http';
import type { Json } from './openapi.walk';

const DOCUMENT_ID = 'openapi.json';

/**
 * Checks real answers against the API document, as a validating proxy (Stoplight Prism) would:
 * the route and status must be documented, the media type too, and a JSON body must match its
 * schema. Ajv reads OpenAPI 3.0's `nullable` itself; the document is added whole, so that every
 * `$ref` resolves within it.
 */
export class DocumentedAnswers {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly paths: { template: string; pattern: RegExp }[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    this.paths = Object.keys(document.paths as Json).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  /** What the document does not allow in this answer; [] when it allows all of it. */
  problemsOf(method: string, url: string, answer: Answer): string[] {
    const path = new URL(url).pathname;
    const template = this.paths.find((candidate) => candidate.pattern.test(path))?.template;
    const operation = template ? (this.document.paths[template] as Json)[method.toLowerCase()] : undefined;
    if (!template || !operation) return [`${method} ${path} is not documented`];
    const route = `${method} ${template} → ${answer.status}`;
    const response = (operation.responses as Json)[String(answer.status)] ?? (operation.responses as Json).default;
    if (!response) return [`${route}: status not documented`];
    const type = (answer.headers.get('content-type') ?? '').split(';', 1)[0].trim();
    const media = (response.content as Json | undefined)?.[type];
    if (!media) return [`${route}: ${type || 'no content type'} not documented`];
    if (!type.endsWith('json')) return [];
    const validate = this.validator(template, method, String(answer.status), type, response === (operation.responses as Json).default);
    return validate(answer.body) ? [] : (validate.errors ?? []).map((error) => `${route}: ${error.instancePath || '/'} ${error.message ?? ''}`);
  }

  private validator(template: string, method: string, status: string, type: string, isDefault: boolean): ValidateFunction {
    const pointer = ['paths', template, method.toLowerCase(), 'responses', isDefault ? 'default' : status, 'content', type, 'schema']
      .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
      .join('/');
    const ref = `${DOCUMENT_ID}#/${pointer}`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    return validate;
  }
}
