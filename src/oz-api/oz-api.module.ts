import http from 'node:http';
import https from 'node:https';
import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ozConfig, type OzConfig } from '../config';
import { HttpOzApiGateway } from './http-oz-api.gateway';
import { OzApiGateway } from './oz-api.gateway';

/**
 * Oz folders carry a few base64 images (a few hundred KB); anything far beyond is not a folder
 * we want to hold, times OZ_MAX_CONCURRENCY, as text and then parsed.
 */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

@Module({
  imports: [
    HttpModule.registerAsync({
      inject: [ozConfig.KEY],
      useFactory: (config: OzConfig) => ({
        baseURL: config.baseUrl,
        httpAgent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
        httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 256 }),
        // No redirects: an upload is never sent twice, and axios then skips follow-redirects,
        // which would otherwise keep a copy of every request body.
        maxRedirects: 0,
        maxContentLength: MAX_RESPONSE_BYTES,
        maxBodyLength: Infinity,
        // Every status is ours to interpret; the body stays text until we know it is a 2xx.
        validateStatus: () => true,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        proxy: false,
      }),
    }),
  ],
  providers: [{ provide: OzApiGateway, useClass: HttpOzApiGateway }],
  exports: [OzApiGateway],
})
export class OzApiModule {}
