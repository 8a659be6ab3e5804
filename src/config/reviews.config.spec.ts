import { InvalidConfigurationError, loadConfiguration } from './index';

const OZ = 'http://oz-api-instant:8080';

describe('REVIEW_INCONCLUSIVE (docs/api.md §15)', () => {
  it('is false unless set', () => {
    expect(loadConfiguration({ OZ_API_URL: OZ }).reviews).toEqual({ inconclusive: false });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['false', false],
  ])('reads %s as %s', (value, inconclusive) => {
    expect(loadConfiguration({ OZ_API_URL: OZ, REVIEW_INCONCLUSIVE: value }).reviews).toEqual({ inconclusive });
  });

  it('refuses a value that is not a boolean with one line naming it', () => {
    let lines: string[] = [];
    try {
      loadConfiguration({ OZ_API_URL: OZ, REVIEW_INCONCLUSIVE: 'yes' });
    } catch (error) {
      if (error instanceof InvalidConfigurationError) lines = error.lines;
    }
    expect(lines).toEqual([expect.stringMatching(/^REVIEW_INCONCLUSIVE: /)]);
  });
});
