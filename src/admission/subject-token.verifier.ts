import { createPublicKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { SUBJECT_ID } from '../common/subject-id';
import { subjectsConfig, type SubjectsConfig } from '../config';

/** Asymmetric only: `none` and HMAC are refused, so that a public key can never be used as a shared secret. */
export const SUBJECT_TOKEN_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

/** How the remote key set is fetched and cached; tests shorten the cooldown to watch a key rotate. */
export interface SubjectJwksOptions {
  /** The least time between two fetches that an unknown `kid` may trigger: a flood of made-up kids costs one fetch per cooldown. */
  cooldownMs: number;
  /** How long a fetched key set is used before it is fetched again. */
  cacheMaxAgeMs: number;
  timeoutMs: number;
}

export const SUBJECT_JWKS_OPTIONS = Symbol('SUBJECT_JWKS_OPTIONS');
export const DEFAULT_SUBJECT_JWKS_OPTIONS: SubjectJwksOptions = { cooldownMs: 30_000, cacheMaxAgeMs: 600_000, timeoutMs: 5_000 };

/**
 * Verifies the company's subject tokens (docs/api.md §14) with jose: the signature against the
 * identity provider's keys (SUBJECT_JWKS_URL, fetched and cached by jose's remote key set, or the
 * SUBJECT_JWT_PUBLIC_KEY PEM), `exp`, `nbf`, `iss` and `aud`. The token is never logged: a refusal
 * logs the reason's code only.
 */
@Injectable()
export class SubjectTokenVerifier {
  private readonly logger = new Logger('SubjectTokens');
  private readonly keys: JWTVerifyGetKey | KeyObject | null;
  private readonly options: JWTVerifyOptions;

  constructor(@Inject(subjectsConfig.KEY) config: SubjectsConfig, @Inject(SUBJECT_JWKS_OPTIONS) remote: SubjectJwksOptions) {
    this.keys = config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl), {
          cooldownDuration: remote.cooldownMs,
          cacheMaxAge: remote.cacheMaxAgeMs,
          timeoutDuration: remote.timeoutMs,
        })
      : config.publicKeyPem
        ? createPublicKey(config.publicKeyPem)
        : null;
    this.options = { issuer: config.issuer ?? undefined, audience: config.audience ?? undefined, algorithms: SUBJECT_TOKEN_ALGORITHMS };
  }

  /** The subject (`sub`) of a token that verifies; null for any other token, and when no key source is configured. */
  async subjectOf(token: string): Promise<string | null> {
    if (this.keys === null) return null;
    try {
      const { payload } = typeof this.keys === 'function' ? await jwtVerify(token, this.keys, this.options) : await jwtVerify(token, this.keys, this.options);
      // The subject becomes a session's subjectId: it must have the form of one (§1).
      return typeof payload.sub === 'string' && SUBJECT_ID.test(payload.sub) ? payload.sub : null;
    } catch (error) {
      this.logger.log({ subjectTokenRefused: reasonOf(error) }, 'a subject token did not verify');
      return null;
    }
  }
}

/** jose's error code (ERR_JWT_EXPIRED, ERR_JWKS_NO_MATCHING_KEY…), never its message, which may quote claims. */
function reasonOf(error: unknown): string {
  return error instanceof errors.JOSEError ? error.code : 'ERR_KEYS_UNAVAILABLE';
}
