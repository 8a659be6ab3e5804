import { ApiProperty } from '@nestjs/swagger';
import type { PublicJwk } from '../receipt-signer';

/** The public EC P-256 key that verifies receipts. */
export class JwkDto implements PublicJwk {
  @ApiProperty({ enum: ['EC'] })
  kty: string;

  @ApiProperty({ enum: ['P-256'] })
  crv: string;

  @ApiProperty({ description: 'The x coordinate (base64url).' })
  x: string;

  @ApiProperty({ description: 'The y coordinate (base64url).' })
  y: string;

  @ApiProperty({ description: "The key's JWK thumbprint (RFC 7638): replicas that share RECEIPT_SIGNING_KEY publish the same one." })
  kid: string;

  @ApiProperty({ enum: ['ES256'] })
  alg: 'ES256';

  @ApiProperty({ enum: ['sig'] })
  use: 'sig';
}

/** GET /.well-known/jwks.json (docs/api.md §11). */
export class JwksDto {
  @ApiProperty({ type: [JwkDto] })
  keys: JwkDto[];
}
