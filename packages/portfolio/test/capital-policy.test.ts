import { type CapitalPolicy, Money, RunId, StrategyId, Weight } from '@books/core';
import { grantTopUps } from '../src/capital-grants';
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

describe('a top-up is paid only from what the pool granted the book', () => {
  it('funds a first run with at most its grant, and deploys only that', () => {
    const d = planBookCapital(input({ topUpLimit: Money.parse('12000.50') }));
    expect(d.transfer?.amount.toString()).toBe('12000.5');
    expect(d.capital.toString()).toBe('12000.5');
    expect(d.explanation).toContain('the pool granted 12000.5');
  });

  it('tops up a book behind its allocation by its grant, deploying equity + grant', () => {
    const d = planBookCapital(input({ book: book('20000', '0'), topUpLimit: Money.parse('3000') }));
    expect(d.transfer?.amount.toString()).toBe('3000');
    expect(d.capital.toString()).toBe('23000');
  });

  it('tops up nothing when the grant is zero (an empty pool)', () => {
    const d = planBookCapital(input({ book: book('20000', '0'), topUpLimit: Money.ZERO }));
    expect(d.transfer).toBeNull();
    expect(d.capital.toString()).toBe('20000');
  });

  it('never caps a release: an over-weight book gives back to the pool whatever its grant', () => {
    const d = planBookCapital(input({ book: book('40000', '5000'), topUpLimit: Money.ZERO }));
    expect(d.transfer?.amount.toString()).toBe('-5000');
    expect(d.capital.toString()).toBe('30000');
  });
});

describe('grantTopUps: scarce top-ups shared in the run snapshot', () => {
  const s1 = StrategyId('s1');
  const s2 = StrategyId('s2');
  const s3 = StrategyId('s3');
  const grants = (pool: string, wanted: [StrategyId, string][]) =>
    Object.fromEntries(
      [
        ...grantTopUps(
          Money.parse(pool),
          wanted.map(([strategyId, w]) => ({ strategyId, wanted: Money.parse(w) })),
        ),
      ].map(([k, v]) => [k, v.toString()]),
    );

  it('pays every book what it wants when the pool holds enough', () => {
    expect(
      grants('1000', [
        [s1, '300'],
        [s2, '0'],
        [s3, '700'],
      ]),
    ).toEqual({ s1: '300', s2: '0', s3: '700' });
  });

  it('shares a scarce pool pro rata by what each wants, in cents rounded down', () => {
    expect(
      grants('100', [
        [s1, '100'],
        [s2, '200'],
        [s3, '0'],
      ]),
    ).toEqual({ s1: '33.33', s2: '66.66', s3: '0' });
  });

  it('grants nothing from an empty or negative pool, and nothing to a book that releases', () => {
    expect(grants('0', [[s1, '100']])).toEqual({ s1: '0' });
    expect(grants('-5', [[s1, '100']])).toEqual({ s1: '0' });
    expect(grants('50', [[s1, '-100']])).toEqual({ s1: '0' });
  });

  it('gives the same grants whatever order the requests come in', () => {
    const a = grants('100', [
      [s1, '70'],
      [s2, '70'],
      [s3, '70'],
    ]);
    const b = grants('100', [
      [s3, '70'],
      [s1, '70'],
      [s2, '70'],
    ]);
    expect(a).toEqual(b);
    expect(a).toEqual({ s1: '33.33', s2: '33.33', s3: '33.33' });
  });
});
