import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, type OpenAPIObject } from '@nestjs/swagger';
import { Admit } from '../admission/route-policy';
import { ApiProblems } from './api-problems.decorator';
import { OpenApiDocument } from './openapi-document.provider';

@ApiTags('openapi')
@Controller('openapi.json')
export class OpenApiController {
  constructor(private readonly document: OpenApiDocument) {}

  @Get()
  @Admit.public()
  @ApiOperation({ operationId: 'getOpenApiDocument', summary: 'This OpenAPI 3 document', description: 'The same document is committed as docs/openapi.json.' })
  @ApiOkResponse({ description: 'The OpenAPI 3 document of every route.', schema: { type: 'object', description: 'An OpenAPI 3.0 document.' } })
  @ApiProblems([])
  read(): OpenAPIObject {
    return this.document.current;
  }
}
