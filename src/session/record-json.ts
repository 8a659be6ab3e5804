import type { SessionFailure, SessionRecord, SessionResult, SessionReview } from './session.types';

/**
 * A session record, or a part of one, as JSON and back. JSON turns Dates into ISO strings; the
 * decoders make them Dates again. Redis keeps results and failures this way, and the in-memory
 * store whole records (as bytes, off the JavaScript heap).
 */
export function encodeRecord(record: SessionRecord): string {
  return JSON.stringify(record);
}

/** `JSON.parse` gives the record with its Dates as ISO strings, which `new Date()` takes as well. */
export function decodeRecord(json: string): SessionRecord {
  const record = JSON.parse(json) as SessionRecord;
  return {
    ...record,
    createdAt: new Date(record.createdAt),
    expiresAt: new Date(record.expiresAt),
    purgeAt: new Date(record.purgeAt),
    lease: record.lease ? { claimId: record.lease.claimId, until: new Date(record.lease.until) } : null,
    // Records stored before v1.2 have no mark.
    captureMayBeUsed: record.captureMayBeUsed === true,
    result: record.result ? reviveResult(record.result) : null,
    failure: record.failure ? reviveFailure(record.failure) : null,
    bestShot: { returned: record.bestShot.returned, heldUntil: record.bestShot.heldUntil ? new Date(record.bestShot.heldUntil) : null },
  };
}

export function decodeResult(json: string): SessionResult {
  return reviveResult(JSON.parse(json) as SessionResult);
}

export function decodeFailure(json: string): SessionFailure {
  return reviveFailure(JSON.parse(json) as SessionFailure);
}

function reviveResult(result: SessionResult): SessionResult {
  const biometry = result.biometry;
  return {
    ...result,
    completedAt: new Date(result.completedAt),
    biometry: biometry ? { ...biometry, completedAt: new Date(biometry.completedAt) } : null,
    // Results stored before v1.2 have no review.
    review: result.review ? reviveReview(result.review) : null,
  };
}

function reviveReview(review: SessionReview): SessionReview {
  const verdict = review.verdict;
  return { ...review, since: new Date(review.since), verdict: verdict ? { ...verdict, decidedAt: new Date(verdict.decidedAt) } : null };
}

function reviveFailure(failure: SessionFailure): SessionFailure {
  return { ...failure, failedAt: new Date(failure.failedAt) };
}
