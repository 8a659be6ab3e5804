import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import { isValidPersonId } from './images';

/**
 * The emulated container: a stand-in for the encrypted OzCapsula blob made by the Oz SDKs.
 *
 *   "OZEMUCAP" | version 0x01 | u32 len + header JSON | u32 len + payload | u32 len + media | HMAC-SHA256 (32)
 *
 * The HMAC covers every byte before it, under a key that is public (below): it detects damage and
 * tampering, it is not security. Services must treat the bytes as opaque, as with the real thing.
 */

export const CONTAINER_MAGIC = Buffer.from('OZEMUCAP', 'ascii');
export const CONTAINER_VERSION = 1;
export const CONTAINER_HMAC_KEY = 'oz-api-instant-emulator/capsule/v1';
const HMAC_BYTES = 32;

export const OUTCOME_SCENARIOS = ['live', 'spoof', 'analysis-error'] as const;
export const INVALID_SCENARIOS = ['no-payload', 'no-media', 'damaged', 'tampered'] as const;
export const FAULT_SCENARIOS = ['fault-5xx', 'fault-reset', 'fault-non-json', 'fault-stall', 'fault-delay'] as const;
export const SCENARIOS = [...OUTCOME_SCENARIOS, ...INVALID_SCENARIOS, ...FAULT_SCENARIOS] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const DEFAULT_PERSON = 'person-1';
export const DEFAULT_MEDIA_BYTES = 64 * 1024;
export const DEFAULT_FAULT_DELAY_MS = 2000;
const MAX_MEDIA_BYTES = 512 * 1024 * 1024;

export interface BuildContainerOptions {
  token: string;
  scenario?: Scenario;
  person?: string;
  eventSessionId?: string;
  mediaBytes?: number;
  /** Only for 'fault-delay': how long the emulator waits before answering (default 2000). */
  delayMs?: number;
}

export interface ContainerHeader {
  token: string;
  scenario: string;
  person: string;
  event_session_id?: string;
  delay_ms?: number;
  created_at: string;
}

export function isScenario(value: unknown): value is Scenario {
  return typeof value === 'string' && (SCENARIOS as readonly string[]).includes(value);
}

export function buildContainer(opts: BuildContainerOptions): Buffer {
  const scenario = opts.scenario ?? 'live';
  const person = opts.person ?? DEFAULT_PERSON;
  const mediaBytes = opts.mediaBytes ?? DEFAULT_MEDIA_BYTES;
  if (!opts.token) throw new Error('token is required');
  if (!isScenario(scenario)) throw new Error(`unknown scenario ${JSON.stringify(scenario)}`);
  if (!isValidPersonId(person)) throw new Error(`invalid person id ${JSON.stringify(person)}`);
  if (!Number.isInteger(mediaBytes) || mediaBytes < 0 || mediaBytes > MAX_MEDIA_BYTES) {
    throw new Error(`mediaBytes must be an integer from 0 to ${MAX_MEDIA_BYTES}`);
  }
  const header: ContainerHeader = {
    token: opts.token,
    scenario,
    person,
    ...(opts.eventSessionId !== undefined && { event_session_id: opts.eventSessionId }),
    ...(scenario === 'fault-delay' && { delay_ms: opts.delayMs ?? DEFAULT_FAULT_DELAY_MS }),
    created_at: new Date().toISOString(),
  };
  const payload = scenario === 'no-payload' ? Buffer.alloc(0) : payloadFor(scenario);
  const container = assemble(Buffer.from(JSON.stringify(header), 'utf8'), payload, scenario === 'no-media' ? 0 : mediaBytes);
  if (scenario === 'tampered') container[Math.floor((container.length - HMAC_BYTES) / 2)] ^= 0x5a; // after the HMAC: it must fail
  return container;
}

/** Writes everything into one buffer: large media (tens of MiB in benchmarks) is never copied. */
function assemble(header: Buffer, payload: Buffer, mediaBytes: number): Buffer {
  const container = Buffer.allocUnsafe(CONTAINER_MAGIC.length + 1 + 12 + header.length + payload.length + mediaBytes + HMAC_BYTES);
  let offset = CONTAINER_MAGIC.copy(container, 0);
  container[offset++] = CONTAINER_VERSION;
  for (const section of [header, payload]) {
    offset = container.writeUInt32BE(section.length, offset);
    offset += section.copy(container, offset);
  }
  offset = container.writeUInt32BE(mediaBytes, offset);
  randomFillSync(container, offset, mediaBytes);
  offset += mediaBytes;
  hmac(container.subarray(0, offset)).copy(container, offset);
  return container;
}

function payloadFor(scenario: Scenario): Buffer {
  const json = JSON.stringify({
    analyses: [{ type: 'quality' }],
    'media:tags': { video_selfie: ['video_selfie', 'video_selfie_blank', 'orientation_portrait'] },
  });
  if (scenario !== 'damaged') return Buffer.from(json, 'utf8');
  // Signed after the damage, so it passes the integrity check and fails only once unpacked (code 5).
  return Buffer.concat([Buffer.from(json.slice(0, json.length / 2), 'utf8'), Buffer.from([0x00, 0xff, 0x13, 0x37])]);
}

function hmac(bytes: Buffer): Buffer {
  return createHmac('sha256', CONTAINER_HMAC_KEY).update(bytes).digest();
}

export type OpenedContainer = { ok: true; header: ContainerHeader; payload: Buffer; media: Buffer } | { ok: false; reason: string };

/** Checks the envelope (magic, version, integrity, header); says nothing about the session token. */
export function openContainer(buf: Buffer): OpenedContainer {
  const fixed = CONTAINER_MAGIC.length + 1;
  if (buf.length < fixed + 12 + HMAC_BYTES || !buf.subarray(0, CONTAINER_MAGIC.length).equals(CONTAINER_MAGIC)) {
    return { ok: false, reason: 'not an emulated container' };
  }
  if (buf[CONTAINER_MAGIC.length] !== CONTAINER_VERSION) return { ok: false, reason: 'unsupported version' };
  const signed = buf.subarray(0, buf.length - HMAC_BYTES);
  if (!timingSafeEqual(hmac(signed), buf.subarray(buf.length - HMAC_BYTES))) {
    return { ok: false, reason: 'integrity check failed' };
  }
  const sections: Buffer[] = [];
  let offset = fixed;
  for (let i = 0; i < 3; i++) {
    if (offset + 4 > signed.length) return { ok: false, reason: 'truncated section' };
    const length = signed.readUInt32BE(offset);
    if (offset + 4 + length > signed.length) return { ok: false, reason: 'truncated section' };
    sections.push(signed.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  const header = parseHeader(sections[0]);
  if (!header) return { ok: false, reason: 'unreadable header' };
  return { ok: true, header, payload: sections[1], media: sections[2] };
}

function parseHeader(bytes: Buffer): ContainerHeader | null {
  try {
    const header = JSON.parse(bytes.toString('utf8')) as Partial<ContainerHeader>;
    const valid = typeof header.token === 'string' && typeof header.scenario === 'string' && typeof header.person === 'string';
    return valid ? (header as ContainerHeader) : null;
  } catch {
    return null;
  }
}
