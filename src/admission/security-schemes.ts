import type { SecuritySchemeObject } from '@nestjs/swagger';

/** How callers prove who they are, as the API document names it; the checks themselves are admission.ts's. */
export const SECURITY_SCHEMES = {
  internalKeyBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'An internal API key (one of INTERNAL_API_KEYS) as `Authorization: Bearer <key>`, checked before the request body is read.',
  },
  internalKeyHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Api-Key',
    description: 'An internal API key (one of INTERNAL_API_KEYS) as `X-Api-Key: <key>`, checked before the request body is read.',
  },
  subjectToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "POST /v1/sessions only: a token of the company's identity provider for the signed-in user (RS256, ES256 or EdDSA; verified against SUBJECT_JWKS_URL or SUBJECT_JWT_PUBLIC_KEY, with iss SUBJECT_JWT_ISSUER and aud SUBJECT_JWT_AUDIENCE). Its `sub` is the session's subject.",
  },
  sessionToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      "The `sessionToken` that this session's POST /v1/sessions returned, as `Authorization: Bearer <sessionToken>`: proof that the uploader started the session.",
  },
} satisfies Record<string, SecuritySchemeObject>;

export type SecuritySchemeName = keyof typeof SECURITY_SCHEMES;
