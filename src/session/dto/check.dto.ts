import { ApiProperty } from '@nestjs/swagger';
import type { BiometryCheck, LivenessCheck } from '../../decision/decision.types';

const RESOLUTION = {
  type: 'string',
  nullable: true,
  description: "Oz's resolution of the analysis: SUCCESS, DECLINED, FAILED or another Oz value.",
  example: 'SUCCESS',
} as const;
const ERROR_CODE = { type: 'integer', nullable: true, description: "Oz's integer code for a failed analysis, else null.", example: null } as const;
const ERROR_MESSAGE = { type: 'string', nullable: true, description: "Oz's text for a failed analysis, else null.", example: null } as const;

export class LivenessCheckDto implements LivenessCheck {
  @ApiProperty({ enum: ['liveness'] })
  type: 'liveness';

  @ApiProperty(RESOLUTION)
  resolution: string | null;

  @ApiProperty({
    type: 'number',
    nullable: true,
    description: "Oz's `confidence_spoofing` (lower is more live; the highest of several media items); null when Oz gave none.",
    example: 0.03,
  })
  score: number | null;

  @ApiProperty(ERROR_CODE)
  errorCode: number | null;

  @ApiProperty(ERROR_MESSAGE)
  errorMessage: string | null;
}

export class BiometryCheckDto implements BiometryCheck {
  @ApiProperty({ enum: ['biometry'] })
  type: 'biometry';

  @ApiProperty(RESOLUTION)
  resolution: string | null;

  @ApiProperty({ type: 'number', nullable: true, description: "Oz's biometry `min_confidence`; null when Oz gave none.", example: 0.97 })
  similarity: number | null;

  @ApiProperty(ERROR_CODE)
  errorCode: number | null;

  @ApiProperty(ERROR_MESSAGE)
  errorMessage: string | null;
}
