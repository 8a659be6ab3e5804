import { IsString, Length } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { IsEcP256PrivateKey, pemFromEnvironment, RequiredWhenSet } from './rules';

class ReceiptsEnvironment {
  // Replicas must sign with one shared key, so that a receipt verifies whichever replica issued it.
  @RequiredWhenSet('REDIS_URL', 'replicas must share the key that signs receipts')
  @IsEcP256PrivateKey()
  RECEIPT_SIGNING_KEY?: string;

  @IsString()
  @Length(1, 256)
  RECEIPT_ISSUER = 'oz-liveness-service';
}

export const receiptsConfig = defineNamespace('receipts', ReceiptsEnvironment, (env) => ({
  signingKeyPem: env.RECEIPT_SIGNING_KEY === undefined ? null : pemFromEnvironment(env.RECEIPT_SIGNING_KEY),
  issuer: env.RECEIPT_ISSUER,
}));
export type ReceiptsConfig = ValueOf<typeof receiptsConfig>;
