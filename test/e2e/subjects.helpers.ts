import { API_KEY } from '../app.factory';
import { buildContainer, type Scenario } from '../oz-emulator';
import { type Answer, call, internal, rememberSessionToken, uploadContainer } from './http';

/** Helpers of the §14 specs: sessions for vouched subjects, their attempts, the attempts routes. */

/** What a company backend sends: its internal key. */
export const AS_COMPANY = { 'x-api-key': API_KEY };

/** POST /v1/sessions with these headers and, when given, this JSON body. */
export async function postSession(baseUrl: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const answer = await call(`${baseUrl}/v1/sessions`, {
    method: 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (answer.status === 201) rememberSessionToken(answer.body.sessionId, answer.body.sessionToken);
  return answer;
}

/** A session the company's backend opened for this subject (or, with `headers: {}`, one the browser opened naming it). */
export async function openSession(
  baseUrl: string,
  subjectId: string,
  headers: Record<string, string> = AS_COMPANY,
): Promise<{ sessionId: string; sessionToken: string }> {
  const answer = await postSession(baseUrl, headers, { subjectId });
  if (answer.status !== 201) throw new Error(`session creation answered ${answer.status}: ${answer.bytes.toString()}`);
  return answer.body;
}

/** One attempt: a session for the subject and an upload of the scenario's container (spoof: a failed attempt). */
export async function attempt(baseUrl: string, subjectId: string, scenario: Scenario, headers: Record<string, string> = AS_COMPANY): Promise<Answer> {
  const { sessionId, sessionToken } = await openSession(baseUrl, subjectId, headers);
  return uploadContainer(baseUrl, sessionId, buildContainer({ token: sessionToken, scenario, mediaBytes: 1024 }));
}

export function subjectAttempts(
  baseUrl: string,
  subjectId: string,
  method: 'GET' | 'DELETE' = 'GET',
  headers: Record<string, string> = internal(),
): Promise<Answer> {
  return call(`${baseUrl}/v1/subjects/${encodeURIComponent(subjectId)}/attempts`, { method, headers });
}
