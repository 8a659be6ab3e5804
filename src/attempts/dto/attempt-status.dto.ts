import { ApiProperty } from '@nestjs/swagger';
import type { AttemptStatus } from '../attempt-limits';

/** GET /v1/subjects/{subjectId}/attempts (docs/api.md §14). */
export class AttemptStatusDto implements AttemptStatus {
  @ApiProperty({ example: 'customer-42' })
  subjectId: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Failed attempts within the window (0 for a subject never seen).' })
  failures: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'ATTEMPT_LIMIT; 0 when the limit is off.' })
  limit: number;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'ATTEMPT_WINDOW_SECONDS.' })
  windowSeconds: number;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'While locked: when the lock ends; else null.' })
  lockedUntil: string | null;
}
