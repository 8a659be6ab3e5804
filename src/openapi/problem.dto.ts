import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ProblemBody } from '../common/problem';
import { PROBLEM_CODES, type ProblemCode } from '../common/problem-codes';

/** The problem+json body of every error (docs/api.md §3, RFC 9457); each response narrows `status` and `code`. */
export class ProblemDto implements ProblemBody {
  @ApiProperty({ enum: ['about:blank'] })
  type: 'about:blank';

  @ApiProperty({ description: 'A short summary of the problem code.', example: 'Session already used' })
  title: string;

  @ApiProperty({ type: 'integer', description: 'The HTTP status of the answer.', example: 409 })
  status: number;

  @ApiProperty({
    description: 'A human sentence; never echoes an upstream body.',
    example: 'This session already took another container. Start a new session.',
  })
  detail: string;

  @ApiProperty({ enum: Object.keys(PROBLEM_CODES), description: 'The stable problem code.', example: 'SESSION_ALREADY_USED' })
  code: ProblemCode;

  @ApiProperty({ description: 'The X-Request-Id of the answer.', example: '3f0c2a9e-5d1b-4c8e-9a47-2b6d0e8f1c35' })
  requestId: string;

  @ApiProperty({ description: 'Whether the same request may succeed later.', example: false })
  retryable: boolean;

  @ApiPropertyOptional({ type: 'integer', description: "Oz's integer `error_code`, whenever the Oz error body carried one (also 0 on a 5xx)." })
  ozErrorCode?: number;
}
