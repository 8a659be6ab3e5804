import { ApiProperty } from '@nestjs/swagger';
import type { CreatedSession } from '../session.service';

/** The 201 of POST /v1/sessions. */
export class CreatedSessionDto implements CreatedSession {
  @ApiProperty({ format: 'uuid', description: 'The id of the new session.' })
  sessionId: string;

  @ApiProperty({
    description:
      'The Oz session token, for the Oz SDK; the liveness upload carries it as `Authorization: Bearer <sessionToken>`. The service keeps only its SHA-256.',
  })
  sessionToken: string;

  @ApiProperty({ format: 'date-time', description: "The token's expiry: its JWT `exp` when it carries one, else now + OZ_SESSION_TTL_SECONDS." })
  expiresAt: string;
}
