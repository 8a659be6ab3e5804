import { Global, Module } from '@nestjs/common';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { Admission } from './admission';
import { ApiKeyVerifier } from './api-key.verifier';
import { BodyLimits } from './body-limits';
import { RouteInventory } from './route-inventory';
import { SubjectCredentials } from './subject-credentials';
import { DEFAULT_SUBJECT_JWKS_OPTIONS, SUBJECT_JWKS_OPTIONS, SubjectTokenVerifier } from './subject-token.verifier';

/** Who may call which route, and with what body: wired into Fastify's hooks by app.setup.ts. */
@Global()
@Module({
  imports: [RateLimitsModule],
  providers: [
    Admission,
    ApiKeyVerifier,
    SubjectTokenVerifier,
    SubjectCredentials,
    BodyLimits,
    { provide: SUBJECT_JWKS_OPTIONS, useValue: DEFAULT_SUBJECT_JWKS_OPTIONS },
    { provide: RouteInventory, useFactory: () => new RouteInventory() },
  ],
  exports: [Admission, BodyLimits, RouteInventory],
})
export class AdmissionModule {}
