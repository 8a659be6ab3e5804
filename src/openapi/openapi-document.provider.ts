import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { buildOpenApiDocument } from './openapi-document';

/**
 * The document served at GET /openapi.json. It is built from the application itself, which
 * configureApp hands over, on the first request and once: most apps (the tests') never serve it.
 */
export class OpenApiDocument {
  private app: INestApplication | null = null;
  private document: OpenAPIObject | null = null;

  describeApplication(app: INestApplication): void {
    this.app = app;
    this.document = null;
  }

  get current(): OpenAPIObject {
    if (!this.app) throw new Error('the API document was asked for before configureApp handed over the application');
    this.document ??= buildOpenApiDocument(this.app);
    return this.document;
  }
}
