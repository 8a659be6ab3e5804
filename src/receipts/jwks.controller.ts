import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Admit } from '../admission/route-policy';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { JwksDto } from './dto/jwks.dto';
import { type PublicJwk, ReceiptSigner } from './receipt-signer';

/** The public key that verifies receipts (docs/api.md §11), for any service to check them offline. */
@ApiTags('receipts')
@Controller('.well-known/jwks.json')
export class JwksController {
  constructor(private readonly signer: ReceiptSigner) {}

  @Get()
  @Admit.public()
  @Header('cache-control', 'public, max-age=300')
  @ApiOperation({
    operationId: 'getJwks',
    summary: 'The key that verifies receipts',
    description: 'The public key of RECEIPT_SIGNING_KEY (or of the key made at start).',
  })
  @ApiOkResponse({
    type: JwksDto,
    description: 'A JSON Web Key Set with the one receipt-signing key.',
    headers: { 'Cache-Control': { description: 'Cacheable for 5 minutes.', schema: { type: 'string', enum: ['public, max-age=300'] } } },
  })
  @ApiProblems([])
  jwks(): { keys: PublicJwk[] } {
    return this.signer.jwks;
  }
}
