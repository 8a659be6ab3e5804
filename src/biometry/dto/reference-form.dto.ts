import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { REFERENCE_TYPES, type ReferenceType } from '../reference-form';

/** The multipart form of POST /v1/sessions/{sessionId}/biometry, for the document only: reference-form.ts reads and checks it. */
export class ReferenceFormDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The reference photo: a JPEG or PNG (checked by magic bytes), at most MAX_IMAGE_BYTES.' })
  reference: Buffer;

  @ApiPropertyOptional({ enum: REFERENCE_TYPES, default: 'document', description: 'What the reference is: an ID document photo or a selfie.' })
  referenceType?: ReferenceType;
}
