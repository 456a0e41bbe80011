import { type CapitalPolicy, Money, RunId, Weight } from '@books/core';
import fc from 'fast-check';
import {
  type CapitalPolicyInput,
  planCapital,
  type StrategyCapital,
  transferIdFor,
} from '../src/capital-policy';
import { InvalidPlanInputError } from '../src/errors';
import { at, sid, str, usd, wt } from './support/builders';

const drift: CapitalPolicy = { mode: 'drift', threshold: wt('0.10') };
const runId = RunId('run-2026-01-05');

const strategy = (id: string, allocation: string, equity?: string, cash?: string): StrategyCapital => ({
  strategyId: sid(id),
  allocation: wt(allocation),
  ...(equity === undefined ? {} : { book: { equity: usd(equity), cash: usd(cash ?? equity) } }),
});

const plan = (strategies: StrategyCapital[], extra: Partial<CapitalPolicyInput> = {}) =>
  planCapital({ strategies, accountEquity: usd('100000'), policy: drift, runId, at: at(0), ...extra });

const summary = (decisions: ReturnType<typeof plan>) =>
  decisions.map((d) => [d.strategyId, d.action, str(d.transfer?.amount ?? null), str(d.capital)]);

describe('planCapital', () => {
  it('funds a strategy without a book with allocation × account equity', () => {
    const [decision] = plan([strategy('alpha', '0.25')]);
    expect(decision?.action).toBe('fund');
    expect(decision?.transfer).toEqual({
      id: transferIdFor(runId, sid('alpha')),
      amount: usd('25000'),
      reason: 'funding',
      at: at(0),
    });
    expect(str(decision?.capital ?? null)).toBe('25000');
  });

  it('truncates a funding amount to the cent', () => {
    const [decision] = plan([strategy('alpha', '0.333333')], { accountEquity: usd('1000.05') });
    expect(str(decision?.transfer?.amount ?? null)).toBe('333.34');
  });

  it.each([
    ['just inside the band holds', '109999', '90001', 'hold', null, null],
    ['exactly at the band holds', '110000', '90000', 'hold', null, null],
    ['just outside the band re-targets both books', '110001', '89999', 'retarget', '-10001', '10001'],
  ])('drift 10%% on 50/50 allocations: %s', (_name, a, b, action, transferA, transferB) => {
    const decisions = plan([strategy('a', '0.5', a), strategy('b', '0.5', b)]);
    expect(decisions.map((d) => d.action)).toEqual([action, action]);
    expect(decisions.map((d) => str(d.transfer?.amount ?? null))).toEqual([transferA, transferB]);
    expect(decisions.map((d) => d.transfer?.reason ?? null)).toEqual(
      transferA === null ? [null, null] : ['drift', 'drift'],
    );
  });

  it('reports share and relative deviation of each book', () => {
    const [a] = plan([strategy('a', '0.5', '110001'), strategy('b', '0.5', '89999')]);
    expect(str(a?.share ?? null)).toBe('0.550005');
    expect(str(a?.targetShare ?? null)).toBe('0.5');
    expect(str(a?.deviation ?? null)).toBe('0.10001');
    expect(str(a?.targetEquity ?? null)).toBe('100000');
  });

  it('normalises allocations over the existing books, so 0.3/0.3 books at equal equity hold', () => {
    expect(summary(plan([strategy('a', '0.3', '30000'), strategy('b', '0.3', '30000')]))).toEqual([
      ['a', 'hold', null, '30000'],
      ['b', 'hold', null, '30000'],
    ]);
  });

  it('re-targets every book every run under the target policy, even inside the band', () => {
    const decisions = plan([strategy('a', '0.5', '100500'), strategy('b', '0.5', '99500')], {
      policy: { mode: 'target' },
    });
    expect(summary(decisions)).toEqual([
      ['a', 'retarget', '-500', '100000'],
      ['b', 'retarget', '500', '100000'],
    ]);
    expect(decisions[0]?.transfer?.reason).toBe('target');
  });

  it('caps a shrink at the book cash and leaves the excess for the plan to sell down', () => {
    const [a, b] = plan([strategy('a', '0.5', '150000', '2000'), strategy('b', '0.5', '50000')]);
    expect(str(a?.transfer?.amount ?? null)).toBe('-2000');
    expect(str(a?.uncoveredExcess ?? null)).toBe('48000');
    expect(str(a?.capital ?? null)).toBe('100000');
    expect(str(b?.transfer?.amount ?? null)).toBe('50000');
  });

  it('makes no outflow from a book without cash', () => {
    const [a] = plan([strategy('a', '0.5', '150000', '0'), strategy('b', '0.5', '50000')]);
    expect(a?.transfer).toBeNull();
    expect(str(a?.uncoveredExcess ?? null)).toBe('50000');
  });

  it('winds down a book whose allocation is zero', () => {
    const [a] = plan([strategy('a', '0', '1000'), strategy('b', '0.5', '99000')]);
    expect(a?.action).toBe('retarget');
    expect(str(a?.transfer?.amount ?? null)).toBe('-1000');
    expect(str(a?.capital ?? null)).toBe('0');
  });

  it('funds a new strategy and re-targets existing ones in the same run, in strategy id order', () => {
    const decisions = plan([
      strategy('z-new', '0.2'),
      strategy('a', '0.4', '50000'),
      strategy('b', '0.4', '30000'),
    ]);
    expect(summary(decisions)).toEqual([
      ['a', 'retarget', '-10000', '40000'],
      ['b', 'retarget', '10000', '40000'],
      ['z-new', 'fund', '20000', '20000'],
    ]);
  });

  it('scales inflows pro rata to what the unallocated pool (plus this run’s outflows) can supply', () => {
    const decisions = plan([strategy('a', '0.3'), strategy('b', '0.1')], { unallocatedCash: usd('20000') });
    expect(summary(decisions)).toEqual([
      ['a', 'fund', '15000', '15000'],
      ['b', 'fund', '5000', '5000'],
    ]);
    expect(str(decisions[0]?.unfundedShortfall ?? null)).toBe('15000');
  });

  it('makes no transfer when total strategy equity is not positive', () => {
    expect(summary(plan([strategy('a', '0.5', '0'), strategy('b', '0.5', '0')]))).toEqual([
      ['a', 'hold', null, '0'],
      ['b', 'hold', null, '0'],
    ]);
  });

  it.each<[string, StrategyCapital[], Partial<CapitalPolicyInput>]>([
    ['allocations summing above 1', [strategy('a', '0.6'), strategy('b', '0.5')], {}],
    ['a negative allocation', [strategy('a', '-0.1')], {}],
    ['a strategy listed twice', [strategy('a', '0.1'), strategy('a', '0.1')], {}],
    ['a negative account equity', [strategy('a', '0.1')], { accountEquity: usd('-1') }],
  ])('rejects %s', (_name, strategies, extra) => {
    expect(() => plan(strategies, extra)).toThrow(InvalidPlanInputError);
  });

  it('under target, moves capital only between books: Σ transfers is zero to the cent per book (property)', () => {
    const books = fc.array(
      fc.record({
        allocation: fc.integer({ min: 1, max: 100 }),
        equityCents: fc.integer({ min: 0, max: 10_000_000 }),
      }),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(books, (raw) => {
        const totalAlloc = raw.reduce((s, r) => s + r.allocation, 0);
        const strategies = raw.map((r, i) =>
          strategy(
            `s${i}`,
            Weight.of(r.allocation).dividedBy(totalAlloc).truncate(12).toString(),
            Money.of(r.equityCents).dividedBy(100).toString(),
          ),
        );
        const decisions = plan(strategies, { policy: { mode: 'target' } });
        const net = Money.sum(decisions.map((d) => d.transfer?.amount ?? Money.ZERO));
        expect(net.abs().lte(Money.of(raw.length).dividedBy(100))).toBe(true);
        for (const d of decisions) {
          const cashAfter = d.equity.plus(d.transfer?.amount ?? Money.ZERO);
          expect(cashAfter.isNegative()).toBe(false);
        }
      }),
    );
  });
});
