import { ApiParam } from '@nestjs/swagger';

/** The `sessionId` path parameter of every session route: a UUID, else 400 VALIDATION_FAILED (common/validation.ts). */
export const ApiSessionIdParam = () =>
  ApiParam({ name: 'sessionId', description: 'The id that POST /v1/sessions returned.', schema: { type: 'string', format: 'uuid' } });
