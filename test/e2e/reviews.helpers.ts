import { buildReferenceImage } from '../oz-emulator';
import { type Answer, call, internal } from './http';
import { analysedSession, matchFaces, referenceForm } from './internal.helpers';

/** Helpers of the review specs (docs/api.md §15): a session Oz sent to review, the queue, a reviewer's decision. */

/**
 * A session whose face match Oz could not settle: an accepted liveness, then a reference of the
 * same person whose id starts with `review-` (the emulator answers OPERATOR_REQUIRED).
 */
export async function sessionInReview(serviceUrl: string, person = 'review-person', subjectId?: string): Promise<{ sessionId: string; match: Answer }> {
  const { sessionId, upload } = await analysedSession(serviceUrl, { person, subjectId });
  expect(upload.body.decision).toBe('accepted');
  const match = await matchFaces(serviceUrl, sessionId, referenceForm(buildReferenceImage(person), 'selfie'));
  expect({ status: match.status, decision: match.body.result?.decision, reason: match.body.result?.reason }).toEqual({
    status: 201,
    decision: 'inconclusive',
    reason: 'REVIEW_REQUIRED',
  });
  return { sessionId, match };
}

export const listReviews = (serviceUrl: string, query = '', headers: Record<string, string> = internal()) =>
  call(`${serviceUrl}/v1/reviews${query}`, { headers });

export const reviewSession = (serviceUrl: string, sessionId: string, body: unknown, headers: Record<string, string> = internal()) =>
  call(`${serviceUrl}/v1/sessions/${sessionId}/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** Every page of the queue, `limit` at a time: the session ids in the order given. */
export async function allPendingIds(serviceUrl: string, limit = 100): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await listReviews(serviceUrl, query);
    expect(page.status).toBe(200);
    ids.push(...page.body.items.map((item: { sessionId: string }) => item.sessionId));
    cursor = page.body.nextCursor;
  } while (cursor);
  return ids;
}
