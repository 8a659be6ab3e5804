import { Module } from '@nestjs/common';
import { OpenApiDocument } from './openapi-document.provider';
import { OpenApiController } from './openapi.controller';

@Module({
  controllers: [OpenApiController],
  providers: [{ provide: OpenApiDocument, useFactory: () => new OpenApiDocument() }],
  exports: [OpenApiDocument],
})
export class OpenApiModule {}
