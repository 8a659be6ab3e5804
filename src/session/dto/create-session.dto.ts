import { IsOptional, IsString, Matches } from 'class-validator';

export class CreateSessionDto {
  /** The company's own reference for the person. */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._:@-]{1,128}$/, { message: 'subjectId must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -' })
  subjectId?: string;
}
