import { ApiProperty } from '@nestjs/swagger';
import { SessionViewDto } from '../../session/dto/session-view.dto';
import type { BiometryAnswer } from '../biometry.service';

/** The 201 of face matching (docs/api.md §1, §14): the session view, and what the vouched subject has left. */
export class BiometryAnswerDto extends SessionViewDto implements BiometryAnswer {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    nullable: true,
    description:
      'Failed attempts the vouched subject may still have before it is locked (a FACE_MISMATCH counts as one), as of this answer; null for anonymous sessions or with the limit off.',
  })
  attemptsRemaining: number | null;
}
