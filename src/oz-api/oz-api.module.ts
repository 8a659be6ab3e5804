import { Module } from '@nestjs/common';
import { HttpOzApiGateway } from './http-oz-api.gateway';
import { OzApiGateway } from './oz-api.gateway';

@Module({
  providers: [{ provide: OzApiGateway, useClass: HttpOzApiGateway }],
  exports: [OzApiGateway],
})
export class OzApiModule {}
