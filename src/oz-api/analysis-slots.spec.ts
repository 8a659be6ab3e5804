import fc from 'fast-check';
import { AnalysisSlots } from './analysis-slots';

describe('AnalysisSlots', () => {
  it('grants exactly `capacity` slots, then refuses at once', () => {
    const slots = new AnalysisSlots(3);

    expect([slots.tryAcquire(), slots.tryAcquire(), slots.tryAcquire(), slots.tryAcquire()]).toEqual([true, true, true, false]);
    expect(slots.used).toBe(3);
  });

  it('grants a slot again after one is released', () => {
    const slots = new AnalysisSlots(1);
    slots.tryAcquire();

    slots.release();

    expect(slots.used).toBe(0);
    expect(slots.tryAcquire()).toBe(true);
    expect(slots.tryAcquire()).toBe(false);
  });

  it('does not count below zero when released more often than acquired', () => {
    const slots = new AnalysisSlots(2);

    slots.release();
    slots.release();

    expect(slots.used).toBe(0);
    expect([slots.tryAcquire(), slots.tryAcquire(), slots.tryAcquire()]).toEqual([true, true, false]);
  });

  it('behaves like a bounded counter under any sequence of acquires and releases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.boolean(), { maxLength: 100 }), (capacity, operations) => {
        const slots = new AnalysisSlots(capacity);
        let model = 0;
        for (const acquire of operations) {
          if (acquire) {
            expect(slots.tryAcquire()).toBe(model < capacity);
            model = Math.min(capacity, model + 1);
          } else {
            slots.release();
            model = Math.max(0, model - 1);
          }
          expect(slots.used).toBe(model);
        }
      }),
    );
  });
});
