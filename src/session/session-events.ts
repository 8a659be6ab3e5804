import { Injectable } from '@nestjs/common';
import type { SessionRecord } from './session.types';

/**
 * The domain events of the session lifecycle: one per recorded change, each with a copy of the
 * session as it was stored. The outcome types are the webhook types of docs/api.md §10 and §15;
 * `verification.replayed` tells that a client retry got a stored answer again.
 */
export type SessionEvent =
  | { type: 'session.opened'; session: SessionRecord }
  | { type: 'verification.completed'; eventId: string; session: SessionRecord }
  | { type: 'verification.failed'; eventId: string; session: SessionRecord }
  | { type: 'biometry.completed'; eventId: string; session: SessionRecord }
  /** docs/api.md §15: a reviewer decided; `session.result` holds the reviewer's decision and its review. */
  | { type: 'review.completed'; eventId: string; session: SessionRecord }
  | { type: 'verification.replayed'; session: SessionRecord };

export type SessionEventType = SessionEvent['type'];

export type SessionEventListener = (event: SessionEvent) => void | Promise<void>;

/**
 * A small typed bus rather than a string-keyed emitter: listeners get the union and switch on
 * `type`, and `publish` waits for them, so that an answer is sent only after every listener has
 * taken the event (the webhook queue must hold an event before the answer that recorded it).
 */
@Injectable()
export class SessionEvents {
  private readonly listeners: SessionEventListener[] = [];

  subscribe(listener: SessionEventListener): void {
    this.listeners.push(listener);
  }

  async publish(event: SessionEvent): Promise<void> {
    await Promise.all(this.listeners.map(async (listener) => listener(event)));
  }
}
