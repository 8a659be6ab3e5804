import { UploadBudget } from './upload-budget';

const budgetOf = (total: number, perAddress: number) => new UploadBudget({ maxInflightUploadBytes: total, maxInflightUploadBytesPerAddress: perAddress });

describe('UploadBudget', () => {
  it('lets one address hold up to its share and refuses more with 429 RATE_LIMITED, while another address is still admitted', () => {
    const budget = budgetOf(1_000, 400);
    budget.reserve('198.51.100.1', 300);

    expect(() => budget.reserve('198.51.100.1', 101)).toThrow(expect.objectContaining({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 5 }));
    expect(budget.reserve('198.51.100.2', 400)).toBeDefined();
    expect(budget.bytesInUse).toBe(700);
  });

  it('refuses with 503 SERVICE_BUSY what passes the whole budget although each address is within its share', () => {
    const budget = budgetOf(1_000, 600);
    budget.reserve('198.51.100.1', 600);

    expect(() => budget.reserve('198.51.100.2', 401)).toThrow(expect.objectContaining({ code: 'SERVICE_BUSY', status: 503, retryAfterSeconds: 2 }));
    expect(budget.bytesInUse).toBe(600);
  });

  it('gives an address its share back when its upload is released, once only', () => {
    const budget = budgetOf(1_000, 400);
    const first = budget.reserve('198.51.100.1', 400);
    first.release();
    first.release();

    expect(budget.bytesInUse).toBe(0);
    expect(budget.reserve('198.51.100.1', 400)).toBeDefined();
  });

  it('grows a chunked reservation within the share and answers the refusal the moment a chunk would pass it', () => {
    const budget = budgetOf(1_000, 250);
    const chunked = budget.reserve('198.51.100.1', 0);

    expect(chunked.grow(200)).toBeNull();
    expect(chunked.grow(51)).toMatchObject({ code: 'RATE_LIMITED' });
    chunked.release();
    expect(budget.bytesInUse).toBe(0);
  });
});
