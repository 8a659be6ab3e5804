import { randomUUID } from 'node:crypto';
import { DEFAULT_FAULT_DELAY_MS, isScenario, OUTCOME_SCENARIOS, openContainer } from './container';
import { invalidRequestData } from './errors';
import { Json, LivenessOutcome, livenessFolder } from './folders';
import type { TerminalFaultKind } from './faults';
import { SessionTokenAuthority } from './tokens';

export type ContainerFault = { kind: TerminalFaultKind };

/** What the folders route must do with a container: answer a folder (maybe after a delay), or misbehave. */
export type LivenessResult = { folder: Json; delayMs?: number } | { fault: ContainerFault };

// These scenarios stand for failures before Oz finished the request, so the token stays unused
// and every submission of that container fails the same way.
const UNCONSUMING_FAULTS: Record<string, ContainerFault> = {
  'fault-5xx': { kind: 'status' },
  'fault-reset': { kind: 'reset' },
  'fault-stall': { kind: 'stall' },
};

/**
 * The documented check order: 13 (no container), then 14 (envelope, integrity, session token),
 * and only after unpacking 3 (payload), 4 (media), 5 (damaged). Throws OzHttpError for each.
 */
export async function processContainer(body: Buffer, tokens: SessionTokenAuthority): Promise<LivenessResult> {
  if (body.length === 0) throw invalidRequestData(13);
  const opened = openContainer(body);
  if (!opened.ok) throw invalidRequestData(14);
  const token = await tokens.verify(opened.header.token);
  if (!token) throw invalidRequestData(14);
  const { header, payload, media } = opened;

  const unconsuming = UNCONSUMING_FAULTS[header.scenario];
  if (unconsuming) {
    if (tokens.isConsumed(token.jti)) throw invalidRequestData(14);
    return { fault: unconsuming };
  }
  if (!tokens.consume(token)) throw invalidRequestData(14);

  if (payload.length === 0) throw invalidRequestData(3);
  if (media.length === 0) throw invalidRequestData(4);
  if (!isReadablePayload(payload) || !isScenario(header.scenario)) throw invalidRequestData(5);

  if (header.scenario === 'fault-non-json') return { fault: { kind: 'non-json' } };
  const outcome: LivenessOutcome = (OUTCOME_SCENARIOS as readonly string[]).includes(header.scenario) ? (header.scenario as LivenessOutcome) : 'live';
  const folder = livenessFolder({
    outcome,
    person: header.person,
    eventSessionId: header.event_session_id ?? randomUUID(),
    media,
  });
  if (header.scenario === 'fault-delay') return { folder, delayMs: delayOf(header.delay_ms) };
  return { folder };
}

function isReadablePayload(payload: Buffer): boolean {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as Json).analyses);
  } catch {
    return false;
  }
}

function delayOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : DEFAULT_FAULT_DELAY_MS;
}
