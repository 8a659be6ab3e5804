import { decodeFailure, decodeResult } from './record-json';
import type { SessionFailure, SessionRecord, SessionResult, StoredStatus } from './session.types';

/**
 * A session as one Redis hash of strings. Instants are milliseconds since the epoch so that the
 * Lua scripts can compare them with the caller's `now`; a null is an absent field. The record
 * holds SHA-256s of the token and the container, never either of them.
 */
export type SessionHash = Record<string, string>;

const FIELD = {
  subjectId: 'subjectId',
  subjectVerified: 'subjectVerified',
  createdAt: 'createdAt',
  expiresAt: 'expiresAt',
  purgeAt: 'purgeAt',
  tokenSha256: 'tokenSha256',
  status: 'status',
  claimId: 'claimId',
  leaseUntil: 'leaseUntil',
  containerSha256: 'containerSha256',
  captureMayBeUsed: 'captureMayBeUsed',
  result: 'result',
  failure: 'failure',
  bestShotReturned: 'bestShotReturned',
  bestShotHeldUntil: 'bestShotHeldUntil',
} as const;

/** Field, value, field, value…: the arguments of HSET. */
export function toHashArguments(record: SessionRecord): string[] {
  const fields: Array<[string, string | null]> = [
    [FIELD.subjectId, record.subjectId],
    [FIELD.subjectVerified, record.subjectVerified ? '1' : null],
    [FIELD.createdAt, millis(record.createdAt)],
    [FIELD.expiresAt, millis(record.expiresAt)],
    [FIELD.purgeAt, millis(record.purgeAt)],
    [FIELD.tokenSha256, record.tokenSha256],
    [FIELD.status, record.status],
    [FIELD.claimId, record.lease?.claimId ?? null],
    [FIELD.leaseUntil, record.lease ? millis(record.lease.until) : null],
    [FIELD.containerSha256, record.containerSha256],
    [FIELD.captureMayBeUsed, record.captureMayBeUsed ? '1' : null],
    [FIELD.result, record.result ? encodeResult(record.result) : null],
    [FIELD.failure, record.failure ? encodeFailure(record.failure) : null],
    [FIELD.bestShotReturned, record.bestShot.returned ? '1' : '0'],
    [FIELD.bestShotHeldUntil, record.bestShot.heldUntil ? millis(record.bestShot.heldUntil) : null],
  ];
  return fields.flatMap(([field, value]) => (value === null ? [] : [field, value]));
}

/**
 * The record a hash holds, as the caller sees it at `now`: a lease at or past its `until` is
 * released, and the call it covered may have reached Oz (the CLAIM script records that mark).
 */
export function fromHash(id: string, hash: SessionHash, now: Date): SessionRecord {
  const record: SessionRecord = {
    id,
    subjectId: hash[FIELD.subjectId] ?? null,
    // Absent in sessions stored before v1.2, which were all anonymous.
    subjectVerified: hash[FIELD.subjectVerified] === '1',
    createdAt: instant(hash[FIELD.createdAt]),
    expiresAt: instant(hash[FIELD.expiresAt]),
    purgeAt: instant(hash[FIELD.purgeAt]),
    tokenSha256: hash[FIELD.tokenSha256],
    status: hash[FIELD.status] as StoredStatus,
    lease: hash[FIELD.claimId] ? { claimId: hash[FIELD.claimId], until: instant(hash[FIELD.leaseUntil]) } : null,
    containerSha256: hash[FIELD.containerSha256] ?? null,
    captureMayBeUsed: hash[FIELD.captureMayBeUsed] === '1',
    result: hash[FIELD.result] ? decodeResult(hash[FIELD.result]) : null,
    failure: hash[FIELD.failure] ? decodeFailure(hash[FIELD.failure]) : null,
    bestShot: {
      returned: hash[FIELD.bestShotReturned] === '1',
      heldUntil: hash[FIELD.bestShotHeldUntil] ? instant(hash[FIELD.bestShotHeldUntil]) : null,
    },
  };
  if (record.status === 'processing' && (!record.lease || record.lease.until <= now)) {
    return { ...record, status: 'open', lease: null, containerSha256: null, captureMayBeUsed: true };
  }
  return record;
}

/** HGETALL as a Lua script returns it: field, value, field, value… */
export function pairsToHash(pairs: string[]): SessionHash {
  const hash: SessionHash = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) hash[pairs[i]] = pairs[i + 1];
  return hash;
}

export function encodeResult(result: SessionResult): string {
  return JSON.stringify(result);
}

export function encodeFailure(failure: SessionFailure): string {
  return JSON.stringify(failure);
}

export function millis(date: Date): string {
  return String(date.getTime());
}

function instant(value: string): Date {
  return new Date(Number(value));
}
