import { Controller, Get, Header } from '@nestjs/common';
import { Admit } from '../admission/route-policy';
import { type PublicJwk, ReceiptSigner } from './receipt-signer';

/** The public key that verifies receipts (docs/api.md §11), for any service to check them offline. */
@Controller('.well-known/jwks.json')
export class JwksController {
  constructor(private readonly signer: ReceiptSigner) {}

  @Get()
  @Admit.public()
  @Header('cache-control', 'public, max-age=300')
  jwks(): { keys: PublicJwk[] } {
    return this.signer.jwks;
  }
}
