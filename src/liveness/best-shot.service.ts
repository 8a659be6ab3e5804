import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { Clock } from '../session/clock';
import { sessionNotFound } from '../session/session.errors';
import { SessionStore } from '../session/session.store';

/** The best shot Oz returned, bytes exactly as received, while BEST_SHOT_TTL_SECONDS holds it. */
@Injectable()
export class BestShotService {
  constructor(
    private readonly store: SessionStore,
    private readonly clock: Clock,
  ) {}

  async read(sessionId: string): Promise<Buffer> {
    const lookup = await this.store.getBestShot(sessionId, this.clock.now());
    switch (lookup.state) {
      case 'held':
        return lookup.bytes;
      case 'session-not-found':
        throw sessionNotFound();
      case 'none':
        throw bestShotNotFound();
      case 'expired':
        throw bestShotExpired();
    }
  }
}

export const bestShotNotFound = () => new AppError('BEST_SHOT_NOT_FOUND', 'Oz returned no best shot for this session.');
export const bestShotExpired = () => new AppError('BEST_SHOT_EXPIRED', 'The best shot is no longer held.');
