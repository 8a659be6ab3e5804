import { buildContainer, type OzEmulator } from '../oz-emulator';
import { waitFor } from '../support/redis-wire';
import { type Answer, call, createSession, withSessionToken } from './http';
import { livenessUrl, sha256 } from './liveness.helpers';
import { samples, valueOf } from './metrics.helpers';

/** Helpers of the Oz capacity specs (docs/api.md §13): uploads that Oz takes its time with, and what the metrics say. */

export interface SlowUpload {
  sessionId: string;
  container: Buffer;
  sha256: string;
}

/** A session and a container that the emulator answers after `delayMs` (scenario fault-delay). */
export async function slowUpload(serviceUrl: string, delayMs: number): Promise<SlowUpload> {
  const { sessionId, sessionToken } = await createSession(serviceUrl);
  const container = buildContainer({ token: sessionToken, scenario: 'fault-delay', delayMs, mediaBytes: 2048 });
  return { sessionId, container, sha256: sha256(container) };
}

/** The upload of `upload`'s container to its session; `signal` lets the client walk away. */
export function send(serviceUrl: string, upload: SlowUpload, signal?: AbortSignal): Promise<Answer> {
  const headers = withSessionToken(upload.sessionId, { 'content-type': 'application/octet-stream' });
  return call(livenessUrl(serviceUrl, upload.sessionId), { method: 'POST', headers, body: upload.container, signal });
}

/** The text of GET /metrics at `url`. */
export async function scrapeAt(url: string): Promise<string> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return response.text();
}

/** Resolves once `read()` gives `value` (an upload queued, a call started): order, not time. */
export function until(read: () => Promise<number> | number, value: number, timeoutMs = 10_000): Promise<void> {
  return waitFor(async () => (await read()) === value, timeoutMs);
}

export const waitingAt = async (metricsUrl: string): Promise<number> => valueOf(await scrapeAt(metricsUrl), 'oz_capacity_waiting');

/** oz_capacity_wait_seconds_count by outcome. */
export async function waitsAt(metricsUrl: string): Promise<Record<string, number>> {
  const counts = samples(await scrapeAt(metricsUrl)).filter((sample) => sample.name === 'oz_capacity_wait_seconds_count');
  return Object.fromEntries(counts.map((sample) => [sample.labels.outcome, sample.value]));
}

/** The emulator's analysis calls, by the SHA-256 of their body, in the order they started. */
export const startOrder = (emulator: OzEmulator): string[] => emulator.load().calls.map((call) => call.bodySha256);
