import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { REVIEW_DECISIONS, type ReviewDecision } from '../../session/session.types';

const REVIEWER = /^[A-Za-z0-9._:@-]{1,128}$/;
const MAX_NOTE_CHARS = 1000;

/** POST /v1/sessions/{sessionId}/review (docs/api.md §15). No other fields. */
export class ReviewRequestDto {
  @ApiProperty({ enum: REVIEW_DECISIONS, description: "The reviewer's decision; it replaces the one under review." })
  @IsIn(REVIEW_DECISIONS, { message: 'decision must be accepted or rejected' })
  decision: ReviewDecision;

  @ApiProperty({ description: 'Who decided: it is signed into the receipt.', pattern: REVIEWER.source, minLength: 1, maxLength: 128, example: 'anna.k@kyc' })
  @IsString()
  @Matches(REVIEWER, { message: 'reviewer must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -' })
  reviewer: string;

  /** Free text kept with the session only: never logged, signed, sent in a webhook or counted. */
  @ApiPropertyOptional({ maxLength: MAX_NOTE_CHARS, description: 'Kept with the session until it is purged; never logged, signed or sent in a webhook.' })
  @ValidateIf((dto: ReviewRequestDto) => dto.note !== undefined)
  @IsString()
  @MaxLength(MAX_NOTE_CHARS)
  note?: string;
}
