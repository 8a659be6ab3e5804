import { OZ, problemsOf } from './config.spec-kit';
import { loadConfiguration } from './index';

describe('the Oz capacity variables of docs/api.md §13', () => {
  it('sets no deployment-wide capacity and no pace by default, and a queue timeout of 15 s', () => {
    expect(loadConfiguration({ OZ_API_URL: OZ }).ozCapacity).toEqual({ capacity: null, paceMs: 0, queueTimeoutMs: 15_000 });
  });

  it('reads a capacity, a pace as the least milliseconds between two starts, and a queue timeout', () => {
    const configuration = loadConfiguration({ OZ_API_URL: OZ, OZ_CAPACITY: '3', OZ_ANALYSES_PER_MINUTE: '36', OZ_QUEUE_TIMEOUT_MS: '2500' });

    expect(configuration.ozCapacity).toEqual({ capacity: 3, paceMs: 1_667, queueTimeoutMs: 2_500 });
  });

  it('accepts OZ_QUEUE_TIMEOUT_MS=0, which refuses at once instead of waiting', () => {
    expect(loadConfiguration({ OZ_API_URL: OZ, OZ_CAPACITY: '1', OZ_QUEUE_TIMEOUT_MS: '0' }).ozCapacity.queueTimeoutMs).toBe(0);
  });

  it.each([
    ['OZ_CAPACITY', '0'],
    ['OZ_CAPACITY', '-3'],
    ['OZ_CAPACITY', 'three'],
    ['OZ_CAPACITY', '2.5'],
    ['OZ_ANALYSES_PER_MINUTE', '0'],
    ['OZ_ANALYSES_PER_MINUTE', '60001'],
    ['OZ_QUEUE_TIMEOUT_MS', '-1'],
    ['OZ_QUEUE_TIMEOUT_MS', '600001'],
  ])('refuses %s=%p with one line naming it', (name, value) => {
    expect(problemsOf({ [name]: value })).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });

  it('names every bad capacity variable at once, one line each', () => {
    const lines = problemsOf({ OZ_CAPACITY: '0', OZ_ANALYSES_PER_MINUTE: 'x', OZ_QUEUE_TIMEOUT_MS: '-5' });

    expect(lines.map((line) => line.split(':')[0]).sort()).toEqual(['OZ_ANALYSES_PER_MINUTE', 'OZ_CAPACITY', 'OZ_QUEUE_TIMEOUT_MS']);
  });
});
