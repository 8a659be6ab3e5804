import { Global, Module } from '@nestjs/common';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { Admission } from './admission';
import { ApiKeyVerifier } from './api-key.verifier';
import { BodyLimits } from './body-limits';
import { RouteInventory } from './route-inventory';
import { SubjectCredentials } from './subject-credentials';
import { DEFAULT_SUBJECT_JWKS_OPTIONS, SUBJECT_JWKS_OPTIONS, SubjectTokenVerifier } from './subject-token.verifier';
import { UploadBudget } from './upload-budget';
import { CONTRACT_UPLOAD_RATE_GRACE_MS, UPLOAD_RATE_GRACE_MS, UploadMeters } from './upload-meter';

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
    UploadBudget,
    UploadMeters,
    { provide: SUBJECT_JWKS_OPTIONS, useValue: DEFAULT_SUBJECT_JWKS_OPTIONS },
    // A provider, not a variable: the contract fixes 10 s; tests of the rate rule replace it to run in less.
    { provide: UPLOAD_RATE_GRACE_MS, useValue: CONTRACT_UPLOAD_RATE_GRACE_MS },
    { provide: RouteInventory, useFactory: () => new RouteInventory() },
  ],
  exports: [Admission, BodyLimits, RouteInventory, UploadBudget, UploadMeters],
})
export class AdmissionModule {}
