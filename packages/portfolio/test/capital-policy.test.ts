import { type CapitalPolicy, Money, RunId, StrategyId, Weight } from '@books/core';
import { type BookCapitalInput, planBookCapital, transferIdFor } from '../src/capital-policy';

const drift: CapitalPolicy = { mode: 'drift', threshold: Weight.parse('0.10') };
function input(overrides: Partial<BookCapitalInput> = {}): BookCapitalInput {
  return {
    runId: RunId('local-2025-03-03'),
    strategyId: StrategyId('momentum'),
    allocation: Weight.parse('0.30'),
    accountEquity: Money.parse('100000'),
    policy: drift,
    at: '2025-03-03T20:30:00.000Z',
    ...overrides,
  };
}
const book = (equity: string, cash: string) => ({ equity: Money.parse(equity), cash: Money.parse(cash) });

describe('the capital policy: one book’s capital decision', () => {
  it('funds a first run with allocation × account equity', () => {
    const d = planBookCapital(input());
    expect(d.action).toBe('fund');
    expect(d.transfer).toMatchObject({ reason: 'funding', id: 'capital:local-2025-03-03:momentum' });
    expect(d.transfer?.id).toBe(transferIdFor(RunId('local-2025-03-03'), StrategyId('momentum')));
    expect(d.transfer?.amount.toString()).toBe('30000');
    expect(d.capital.toString()).toBe('30000');
  });

  it('holds a book whose share is exactly at the drift threshold', () => {
    // 0.30 × 1.10 = 0.33 of 100000.
    const d = planBookCapital(input({ book: book('33000', '100') }));
    expect(d.action).toBe('hold');
    expect(d.transfer).toBeNull();
    expect(d.capital.toString()).toBe('33000');
  });

  it('re-targets a book one cent past the drift threshold, taking out only cash it has', () => {
    const d = planBookCapital(input({ book: book('33000.01', '2000') }));
    expect(d.action).toBe('retarget');
    expect(d.transfer?.amount.toString()).toBe('-2000');
    expect(d.transfer?.reason).toBe('drift');
    expect(d.capital.toString()).toBe('30000');
  });

  it('re-targets a book that shrank below the band with an inflow', () => {
    const d = planBookCapital(input({ book: book('26999.99', '10') }));
    expect(d.transfer?.amount.toString()).toBe('3000.01');
    expect(d.capital.toString()).toBe('30000');
  });

  it('re-targets every run under the target policy, in whole cents', () => {
    const d = planBookCapital(input({ policy: { mode: 'target' }, book: book('30000.555', '500') }));
    expect(d.action).toBe('retarget');
    expect(d.transfer?.amount.toString()).toBe('-0.55');
    expect(d.transfer?.reason).toBe('target');
  });

  it('makes no transfer when the target policy finds the book on target', () => {
    const d = planBookCapital(input({ policy: { mode: 'target' }, book: book('30000', '0') }));
    expect(d.transfer).toBeNull();
  });

  it('winds down a book whose allocation became 0', () => {
    const d = planBookCapital(input({ allocation: Weight.ZERO, book: book('5000', '1000') }));
    expect(d.action).toBe('retarget');
    expect(d.transfer?.amount.toString()).toBe('-1000');
    expect(d.capital.toString()).toBe('0');
  });

  it('funds a first run with the target truncated to the cent (0.3333 × 100000.07 = 33330.023331)', () => {
    const d = planBookCapital(
      input({ allocation: Weight.parse('0.3333'), accountEquity: Money.parse('100000.07') }),
    );
    expect(d.transfer?.amount.toString()).toBe('33330.02');
    expect(d.capital.toString()).toBe('33330.02');
    expect(d.share).toBeNull();
  });

  it('re-targets under the target policy without a transfer when the book has no cash to take out', () => {
    const d = planBookCapital(input({ policy: { mode: 'target' }, book: book('31000', '0') }));
    expect(d.action).toBe('retarget');
    expect(d.transfer).toBeNull();
    expect(d.capital.toString()).toBe('30000');
  });

  it('holds a book whose allocation is 0 and that holds nothing', () => {
    const d = planBookCapital(input({ allocation: Weight.ZERO, book: book('0', '0') }));
    expect(d.action).toBe('hold');
    expect(d.transfer).toBeNull();
    expect(d.capital.toString()).toBe('0');
  });
});
