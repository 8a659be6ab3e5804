import { Injectable, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { AppError } from '../common/app-error';

/** The form of a subject id everywhere (docs/api.md §1): the body's `subjectId`, a token's `sub`, a path parameter. */
export const SUBJECT_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** The `subjectId` path parameter: the form of §1, else 400 VALIDATION_FAILED before any lookup. */
@Injectable()
export class SubjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!SUBJECT_ID.test(value)) throw new AppError('VALIDATION_FAILED', 'subjectId must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ -');
    return value;
  }
}

export const ApiSubjectIdParam = () =>
  ApiParam({ name: 'subjectId', description: "The company's own reference for the person.", schema: { type: 'string', pattern: SUBJECT_ID.source } });
