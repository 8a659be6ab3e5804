import type { SessionCaller } from '../admission/subject-credentials';
import { AppError } from '../common/app-error';
import type { SessionSubject } from './session.types';

/**
 * Whom a new session is for (docs/api.md §14): a key's call trusts its body's subjectId; a
 * token's call is for its `sub`, and a body that names someone else is refused; an anonymous
 * call's subjectId is the browser's word.
 */
export function sessionSubjectOf(caller: SessionCaller, bodySubjectId: string | null): SessionSubject {
  switch (caller.kind) {
    case 'anonymous':
      return { subjectId: bodySubjectId, subjectVerified: false };
    case 'key':
      return { subjectId: bodySubjectId, subjectVerified: bodySubjectId !== null };
    case 'token':
      if (bodySubjectId !== null && bodySubjectId !== caller.subjectId) {
        throw new AppError('VALIDATION_FAILED', "subjectId must equal the subject token's sub, or be left out.");
      }
      return { subjectId: caller.subjectId, subjectVerified: true };
  }
}
