import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { createSigner } from 'fast-jwt';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { receiptsConfig, type ReceiptsConfig } from '../config';
import type { Decision, DecisionReason } from '../decision/decision.types';

/** What a receipt proves (docs/api.md §11): ids, the decision and its reason, never a score. */
export interface ReceiptClaims {
  sessionId: string;
  subjectId: string | null;
  subjectVerified: boolean;
  decision: Decision;
  reason: DecisionReason;
  folderId: string | null;
  eventSessionId: string | null;
  checks: { type: 'liveness' | 'biometry'; resolution: string | null }[];
  /** When the decision was recorded. */
  issuedAt: Date;
  /** A reviewer's decision (docs/api.md §15): who decided, and when; never the note. */
  review?: { reviewer: string; decidedAt: Date };
}

export interface PublicJwk extends JWK {
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

const ALG = 'ES256';

type Sign = (payload: Record<string, unknown>) => string;

/**
 * Signs decision receipts (ES256 JWS) and publishes the public key. The `kid` is the key's JWK
 * thumbprint (RFC 7638), so that replicas sharing RECEIPT_SIGNING_KEY publish the same one.
 *
 * The signature is made with fast-jwt (Fastify's JWT library), synchronously: jose signs through
 * the thread pool, and on every upload that hand-off cost several times the ECDSA signature itself
 * (bench/RESULTS.md). jose still exports the public key and computes its thumbprint.
 */
@Injectable()
export class ReceiptSigner implements OnModuleInit {
  private readonly logger = new Logger(ReceiptSigner.name);
  private signer: Sign;
  private publicJwk: PublicJwk;

  constructor(@Inject(receiptsConfig.KEY) private readonly config: ReceiptsConfig) {}

  async onModuleInit(): Promise<void> {
    const privateKey = this.privateKey();
    const jwk = await exportJWK(createPublicKey(privateKey));
    const kid = await calculateJwkThumbprint(jwk, 'sha256');
    this.publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: ALG, use: 'sig' };
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    this.signer = createSigner({ key: pem, algorithm: ALG, kid, iss: this.config.issuer });
  }

  sign(claims: ReceiptClaims): string {
    return this.signer({
      subjectId: claims.subjectId,
      subjectVerified: claims.subjectVerified,
      decision: claims.decision,
      reason: claims.reason,
      folderId: claims.folderId,
      eventSessionId: claims.eventSessionId,
      checks: claims.checks,
      ...(claims.review && { review: { reviewer: claims.review.reviewer, decidedAt: claims.review.decidedAt.toISOString() } }),
      sub: claims.sessionId,
      jti: randomUUID(),
      iat: Math.floor(claims.issuedAt.getTime() / 1000),
    });
  }

  get jwks(): { keys: PublicJwk[] } {
    return { keys: [this.publicJwk] };
  }

  private privateKey(): KeyObject {
    if (this.config.signingKeyPem !== null) return createPrivateKey({ key: this.config.signingKeyPem, format: 'pem' });
    this.logger.warn('RECEIPT_SIGNING_KEY is not set: receipts are signed with a key made at start, which no other replica shares and a restart forgets');
    return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  }
}
