import { ApiProperty } from '@nestjs/swagger';
import { type Decision, type DecisionReason, DECISION_REASONS, DECISIONS } from '../../decision/decision.types';
import type { LivenessAnswer } from '../liveness-answer';

/** The public answer of a liveness upload (docs/api.md §1): the decision and its receipt, never a score. */
export class LivenessAnswerDto implements LivenessAnswer {
  @ApiProperty({ format: 'uuid' })
  sessionId: string;

  @ApiProperty({ enum: ['completed'] })
  status: 'completed';

  @ApiProperty({ enum: DECISIONS, description: 'Only `accepted` ever lets a person through.' })
  decision: Decision;

  @ApiProperty({ enum: DECISION_REASONS })
  reason: DecisionReason;

  @ApiProperty({ type: 'string', nullable: true, description: 'The Oz folder id.' })
  folderId: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: "Oz's `meta_data.event_session_id`, or null." })
  eventSessionId: string | null;

  @ApiProperty({ format: 'date-time' })
  completedAt: string;

  @ApiProperty({
    description:
      'A compact JWS (ES256, typ JWT, kid) of the liveness decision, verifiable offline with GET /.well-known/jwks.json: claims iss, sub (the session id), jti, iat, subjectId, subjectVerified, decision, reason, folderId, eventSessionId and checks (type and resolution, no scores).',
  })
  receipt: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    nullable: true,
    description:
      'Failed attempts the vouched subject may still have before it is locked (ATTEMPT_LIMIT within ATTEMPT_WINDOW_SECONDS), as of this answer; null for anonymous sessions or with the limit off.',
  })
  attemptsRemaining: number | null;
}
