import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { type Check, type Decision, type DecisionReason, DECISION_REASONS, DECISIONS } from '../../decision/decision.types';
import { SESSION_STATUSES, type SessionStatus } from '../session.types';
import type { ReviewView, SessionView } from '../session.view';
import { BiometryCheckDto, LivenessCheckDto } from './check.dto';

type SessionResult = NonNullable<SessionView['result']>;
type SessionFailure = NonNullable<SessionView['error']>;

@ApiExtraModels(LivenessCheckDto, BiometryCheckDto)
export class SessionResultDto implements SessionResult {
  @ApiProperty({ enum: DECISIONS, description: 'The current decision: liveness alone, or recomputed by the latest face match.' })
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
    type: 'array',
    description: 'The liveness check, and the biometry check once face matching ran.',
    items: {
      oneOf: [{ $ref: getSchemaPath(LivenessCheckDto) }, { $ref: getSchemaPath(BiometryCheckDto) }],
      discriminator: { propertyName: 'type', mapping: { liveness: getSchemaPath(LivenessCheckDto), biometry: getSchemaPath(BiometryCheckDto) } },
    },
  })
  checks: Check[];

  @ApiProperty({ description: 'Whether the best shot is still held (GET /v1/sessions/{sessionId}/best-shot, face matching).' })
  bestShotAvailable: boolean;

  @ApiProperty({ description: 'The compact JWS (ES256) of the current decision; verify it with GET /.well-known/jwks.json.' })
  receipt: string;
}

export class SessionErrorDto implements SessionFailure {
  @ApiProperty({ description: 'The problem code the session failed with.', example: 'CONTAINER_INVALID' })
  code: string;

  @ApiProperty({ type: 'integer', nullable: true, description: "Oz's `error_code`, when Oz gave one.", example: 14 })
  ozErrorCode: number | null;
}

/** docs/api.md §15: `pending` until a reviewer decides; then `done` with who decided, when, and the note. */
export class ReviewViewDto {
  @ApiProperty({ enum: ['pending', 'done'] })
  status: ReviewView['status'];

  @ApiProperty({ format: 'date-time', description: 'When the decision under review was recorded.' })
  since: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Once done: when the reviewer decided.' })
  decidedAt?: string;

  @ApiPropertyOptional({ description: 'Once done: who decided.' })
  reviewer?: string;

  @ApiPropertyOptional({ type: 'string', nullable: true, description: "Once done: the reviewer's note, or null." })
  note?: string | null;
}

/**
 * An object of `model`, or null, as OpenAPI 3.0 can say it: `nullable` beside an `allOf` (what
 * `nullable: true` on a class-typed property generates) does not admit null, since null fails the
 * referenced object schema, so validating proxies refused every session view (docs/reliability.md).
 */
function objectOrNull(model: abstract new () => unknown, description: string) {
  return ApiProperty({ description, oneOf: [{ $ref: getSchemaPath(model) }, { type: 'object', nullable: true, enum: [null] }] });
}

/** GET /v1/sessions/{sessionId}, and the 201 of face matching (docs/api.md §1): for internal callers, scores included. */
@ApiExtraModels(SessionResultDto, SessionErrorDto)
export class SessionViewDto implements SessionView {
  @ApiProperty({ format: 'uuid' })
  sessionId: string;

  @ApiProperty({ type: 'string', nullable: true, description: "The company's own reference for the person, or null." })
  subjectId: string | null;

  @ApiProperty({
    description:
      'Whether the company vouched for the subject (an internal API key or a verified subject token, §14); false for a subjectId the browser sent, and with none.',
  })
  subjectVerified: boolean;

  @ApiProperty({ enum: SESSION_STATUSES })
  status: SessionStatus;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;

  @objectOrNull(SessionResultDto, 'Present once a container was analysed; null before.')
  result: SessionResultDto | null;

  @objectOrNull(SessionErrorDto, 'Present once the session failed for good; null otherwise.')
  error: SessionErrorDto | null;

  @ApiPropertyOptional({ type: ReviewViewDto, description: 'Present once the decision went to human review (docs/api.md §15).' })
  review?: ReviewViewDto;
}
