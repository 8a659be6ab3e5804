import { copyRecord } from './record-copy';

describe('copyRecord', () => {
  const record = {
    id: 's-1',
    createdAt: new Date('2030-01-01T00:00:00.000Z'),
    lease: null,
    result: { checks: [{ type: 'liveness', score: 0.03, errorCode: null }], completedAt: new Date('2030-01-01T00:01:00.000Z') },
  };

  it('copies every level, Dates as Dates, so that changing the copy changes nothing of the original', () => {
    const copy = copyRecord(record);

    expect(copy).toEqual(record);
    expect(copy.createdAt).not.toBe(record.createdAt);
    expect(copy.result.checks[0]).not.toBe(record.result.checks[0]);
    copy.result.checks[0].score = 0.9;
    copy.result.completedAt.setTime(0);
    expect(record.result.checks[0].score).toBe(0.03);
    expect(record.result.completedAt.toISOString()).toBe('2030-01-01T00:01:00.000Z');
  });

  it('keeps nulls, numbers and strings as they are', () => {
    expect(copyRecord({ a: null, b: 1, c: 'x', d: [null, 2] })).toEqual({ a: null, b: 1, c: 'x', d: [null, 2] });
  });
});
