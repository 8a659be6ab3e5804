import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import { receiptsConfig, type ReceiptsConfig } from '../config';
import type { Decision, DecisionReason } from '../decision/decision.types';

/** What a receipt proves (docs/api.md §11): ids, the decision and its reason, never a score. */
export interface ReceiptClaims {
  sessionId: string;
  subjectId: string | null;
  decision: Decision;
  reason: DecisionReason;
  folderId: string | null;
  eventSessionId: string | null;
  checks: { type: 'liveness' | 'biometry'; resolution: string | null }[];
  /** When the decision was recorded. */
  issuedAt: Date;
}

export interface PublicJwk extends JWK {
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

const ALG = 'ES256';

/**
 * Signs decision receipts (ES256 JWS) and publishes the public key. The `kid` is the key's JWK
 * thumbprint (RFC 7638), so that replicas sharing RECEIPT_SIGNING_KEY publish the same one.
 */
@Injectable()
export class ReceiptSigner implements OnModuleInit {
  private readonly logger = new Logger(ReceiptSigner.name);
  private privateKey: KeyLike;
  private publicJwk: PublicJwk;

  constructor(@Inject(receiptsConfig.KEY) private readonly config: ReceiptsConfig) {}

  async onModuleInit(): Promise<void> {
    const { privateKey, publicKey } = await this.keyPair();
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk, 'sha256');
    this.privateKey = privateKey;
    this.publicJwk = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid, alg: ALG, use: 'sig' };
  }

  sign(claims: ReceiptClaims): Promise<string> {
    return new SignJWT({
      subjectId: claims.subjectId,
      decision: claims.decision,
      reason: claims.reason,
      folderId: claims.folderId,
      eventSessionId: claims.eventSessionId,
      checks: claims.checks,
    })
      .setProtectedHeader({ alg: ALG, typ: 'JWT', kid: this.publicJwk.kid })
      .setIssuer(this.config.issuer)
      .setSubject(claims.sessionId)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(claims.issuedAt.getTime() / 1000))
      .sign(this.privateKey);
  }

  get jwks(): { keys: PublicJwk[] } {
    return { keys: [this.publicJwk] };
  }

  private async keyPair(): Promise<{ privateKey: KeyLike; publicKey: KeyLike }> {
    if (this.config.signingKeyPem !== null) {
      const privateKey = createPrivateKey({ key: this.config.signingKeyPem, format: 'pem' });
      return { privateKey, publicKey: createPublicKey(privateKey) };
    }
    this.logger.warn('RECEIPT_SIGNING_KEY is not set: receipts are signed with a key made at start, which no other replica shares and a restart forgets');
    return generateKeyPair(ALG, { extractable: true });
  }
}
