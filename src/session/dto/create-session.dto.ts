import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, ValidateIf } from 'class-validator';
import { SUBJECT_ID } from '../../common/subject-id';

export class CreateSessionDto {
  /** The company's own reference for the person; absent is fine, `null` is not a string. */
  @ApiPropertyOptional({
    description: "The company's own reference for the person.",
    pattern: SUBJECT_ID.source,
    minLength: 1,
    maxLength: 128,
    example: 'customer-42',
  })
  @ValidateIf((dto: CreateSessionDto) => dto.subjectId !== undefined)
  @IsString()
  @Matches(SUBJECT_ID, { message: 'subjectId must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -' })
  subjectId?: string;
}
