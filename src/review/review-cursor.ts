import { cursorInvalid } from './review.errors';
import type { ReviewCursor } from '../session/session.types';

const CURSOR = /^(\d{1,15})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/**
 * The opaque `cursor` of GET /v1/reviews: base64url of "<since ms>.<session id>", the last entry
 * of the page before. Keyset paging: the next page is whatever follows that entry in the queue's
 * order, so it stays right while reviews come and go and whichever replica serves it.
 */
export function encodeCursor(cursor: ReviewCursor): string {
  return Buffer.from(`${cursor.since.getTime()}.${cursor.sessionId}`).toString('base64url');
}

export function decodeCursor(text: string): ReviewCursor {
  const match = CURSOR.exec(Buffer.from(text, 'base64url').toString());
  // base64url decoding skips what it cannot read: only the exact encoding of a cursor is one.
  if (!match || encodeCursor({ since: new Date(Number(match[1])), sessionId: match[2] }) !== text) {
    throw cursorInvalid();
  }
  return { since: new Date(Number(match[1])), sessionId: match[2] };
}
