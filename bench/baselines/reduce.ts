/**
 * What B2 and P1 answer: the same small JSON as the service (its liveness and session answers),
 * reduced from the Oz folder with the service's decision table (docs/api.md §4).
 */
import { randomUUID } from 'node:crypto';

interface WireFolder {
  folder_id?: unknown;
  resolution_status?: unknown;
  system_resolution?: unknown;
  meta_data?: { event_session_id?: unknown } | null;
}

export function reduceFolder(folder: WireFolder, sessionId: string) {
  const sys = folder.system_resolution;
  const [decision, reason] =
    sys === 'SUCCESS' && folder.resolution_status === 'FINISHED'
      ? ['accepted', 'LIVENESS_PASSED']
      : sys === 'DECLINED'
        ? ['rejected', 'LIVENESS_DECLINED']
        : sys === 'FAILED' || folder.resolution_status === 'FAILED'
          ? ['inconclusive', 'ANALYSIS_FAILED']
          : ['inconclusive', 'UNEXPECTED_RESULT'];
  const ev = folder.meta_data?.event_session_id;
  return {
    sessionId,
    status: 'completed',
    decision,
    reason,
    folderId: typeof folder.folder_id === 'string' ? folder.folder_id : null,
    eventSessionId: typeof ev === 'string' ? ev : null,
    completedAt: new Date().toISOString(),
  };
}

export function sessionAnswer(token: { session_token?: unknown }) {
  if (typeof token.session_token !== 'string') throw new Error('token answer without session_token');
  return {
    sessionId: randomUUID(),
    sessionToken: token.session_token,
    expiresAt: new Date(Date.now() + 900_000).toISOString(),
  };
}
