import { Injectable } from '@nestjs/common';
import type { ReviewInput } from '../session/review';
import { SessionLifecycle } from '../session/session-lifecycle';
import type { ReviewCursor, SessionRecord } from '../session/session.types';
import { type SessionView, toSessionView } from '../session/session.view';
import type { PendingReviewDto, ReviewPageDto } from './dto/review-page.dto';
import { encodeCursor } from './review-cursor';

/** Human review (docs/api.md §15): the queue of pending reviews, and a reviewer's decision. */
@Injectable()
export class ReviewService {
  constructor(private readonly lifecycle: SessionLifecycle) {}

  /** One entry more than asked tells whether another page follows. */
  async page(cursor: ReviewCursor | null, limit: number): Promise<ReviewPageDto> {
    const sessions = await this.lifecycle.pendingReviews(cursor, limit + 1);
    const now = this.lifecycle.now();
    const items = sessions.slice(0, limit).map((session) => pendingItem(session, now));
    const last = items.at(-1);
    const more = sessions.length > limit && last !== undefined;
    return { items, nextCursor: more ? encodeCursor({ since: new Date(last.since), sessionId: last.sessionId }) : null };
  }

  async decide(sessionId: string, input: ReviewInput): Promise<SessionView> {
    return toSessionView(await this.lifecycle.recordReview(sessionId, input), this.lifecycle.now());
  }
}

function pendingItem(session: SessionRecord, now: Date): PendingReviewDto {
  const review = session.result!.review!;
  const heldUntil = session.bestShot.heldUntil;
  return {
    sessionId: session.id,
    subjectId: session.subjectId,
    subjectVerified: session.subjectVerified,
    reason: review.reason,
    since: review.since.toISOString(),
    bestShotAvailable: heldUntil !== null && now < heldUntil,
  };
}
