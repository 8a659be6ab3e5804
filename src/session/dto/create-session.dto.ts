import { IsString, Matches, ValidateIf } from 'class-validator';

export class CreateSessionDto {
  /** The company's own reference for the person; absent is fine, `null` is not a string. */
  @ValidateIf((dto: CreateSessionDto) => dto.subjectId !== undefined)
  @IsString()
  @Matches(/^[A-Za-z0-9._:@-]{1,128}$/, { message: 'subjectId must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -' })
  subjectId?: string;
}
