import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, ValidateIf } from 'class-validator';
import { DECISION_REASONS, type DecisionReason } from '../../decision/decision.types';

/** The query of GET /v1/reviews: strings as Fastify parses them; a repeated parameter is an array and fails. */
export class ReviewPageQueryDto {
  @ValidateIf((dto: ReviewPageQueryDto) => dto.limit !== undefined)
  @IsString()
  @Matches(/^(100|[1-9][0-9]?)$/, { message: 'limit must be an integer from 1 to 100' })
  limit?: string;

  @ValidateIf((dto: ReviewPageQueryDto) => dto.cursor !== undefined)
  @IsString()
  cursor?: string;
}

export class PendingReviewDto {
  @ApiProperty({ format: 'uuid' })
  sessionId: string;

  @ApiProperty({ type: 'string', nullable: true })
  subjectId: string | null;

  @ApiProperty({ description: 'Whether the company vouched for the subject (docs/api.md §14); false until trusted subjects are recorded.' })
  subjectVerified: boolean;

  @ApiProperty({
    enum: DECISION_REASONS,
    description: 'The reason of the decision under review: REVIEW_REQUIRED, or another inconclusive one with REVIEW_INCONCLUSIVE.',
  })
  reason: DecisionReason;

  @ApiProperty({ format: 'date-time', description: 'When the decision under review was recorded: the queue is oldest first.' })
  since: string;

  @ApiProperty({ description: 'Whether the best shot is still held (GET /v1/sessions/{sessionId}/best-shot).' })
  bestShotAvailable: boolean;
}

export class ReviewPageDto {
  @ApiProperty({ type: [PendingReviewDto] })
  items: PendingReviewDto[];

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Opaque: pass it as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}
