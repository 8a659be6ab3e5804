import { InMemoryOzCapacity } from '../../../src/oz-capacity/in-memory-oz-capacity';
import { CONTRACT_OPTIONS, describeOzCapacityContract } from './oz-capacity.contract';

describe('InMemoryOzCapacity', () => {
  const made: InMemoryOzCapacity[] = [];

  afterEach(() => {
    for (const capacity of made.splice(0)) capacity.onApplicationShutdown();
  });

  describeOzCapacityContract({
    newCapacity: async (options) => {
      const capacity = new InMemoryOzCapacity({ ...CONTRACT_OPTIONS, ...options });
      made.push(capacity);
      return capacity;
    },
  });
});
