import { Clock } from '../../src/session/clock';

/** A clock that starts at real time (Oz token expiries are real) and moves only when told. */
export class FakeClock extends Clock {
  private current = Date.now();

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
