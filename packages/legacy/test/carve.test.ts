import { LEGACY, Money, Price, Quantity, RunId, StrategyId, Symbol, TradingDate, Weight } from '@books/core';
import { applyFill, applyTransfer, type Book, emptyBook, quantitiesOf } from '@books/portfolio';
import fc from 'fast-check';
import { aggregateSignals, carveOut, carveShares, foldBack, type WorkerSignal } from '../src';

const SPY = Symbol('SPY');
const GLD = Symbol('GLD');
const w = (v: string) => Weight.parse(v);
const at = '2025-03-04T23:00:00.000Z';

function legacyBook(spy: string, gld: string, cash: string): Book {
  let book: Book = applyTransfer(emptyBook(LEGACY), {
    id: 'fund',
    amount: Money.parse('100000'),
    reason: 'funding',
    at: '2025-03-01T00:00:00.000Z',
  });
  const buys: [Symbol, string, string][] = [
    [SPY, spy, '500'],
    [GLD, gld, '200'],
  ];
  buys.forEach(([symbol, qty, price], i) => {
    book = applyFill(book, {
      fillId: `o${i}`,
      orderId: `o${i}`,
      symbol,
      side: 'buy',
      qty: Quantity.parse(qty),
      price: Price.parse(price),
      fees: Money.ZERO,
      at: `2025-03-0${i + 2}T20:30:00.000Z`,
    }).book;
  });
  return { ...book, cash: Money.parse(cash) };
}

const signals = (alpha: Record<string, string>, beta: Record<string, string>) => {
  const sig = (id: string, weights: Record<string, string>): WorkerSignal => ({
    strategyId: StrategyId(id),
    outcome: 'SIGNALLED',
    weights: new Map(Object.entries(weights).map(([s, v]) => [Symbol(s), w(v)])),
  });
  return aggregateSignals({
    runId: RunId('p-2025-03-04'),
    tradingDate: TradingDate('2025-03-04'),
    recordedAt: at,
    strategies: [
      { strategyId: StrategyId('alpha'), flow: 'legacy', allocation: w('0.6') },
      { strategyId: StrategyId('beta'), flow: 'legacy', allocation: w('0.4') },
    ],
    signals: new Map([
      [StrategyId('alpha'), sig('alpha', alpha)],
      [StrategyId('beta'), sig('beta', beta)],
    ]),
  });
};

const fractionable = new Map([
  [SPY, { fractionable: true }],
  [GLD, { fractionable: false }],
]);

describe('carving a strategy out of the legacy book', () => {
  it('moves its contribution fraction of each symbol (whole shares when not fractionable) and its idle cash', () => {
    // alpha: 0.6 × (SPY 0.5, GLD 0.5) = SPY 0.3, GLD 0.3; beta: 0.4 × (SPY 0.5) = SPY 0.2, idle 0.2.
    const merged = signals({ SPY: '0.5', GLD: '0.5' }, { SPY: '0.5' });
    const shares = carveShares(merged, StrategyId('beta'));
    const m = carveOut({
      legacy: legacyBook('100', '90', '1000'),
      target: emptyBook(StrategyId('beta')),
      shares,
      assets: fractionable,
      id: 'mig-beta',
      at,
    });
    expect(m.moved).toEqual([{ symbol: 'SPY', qty: '40', cost: '20000' }]);
    expect(m.cash.toString()).toBe('1000');
    const alpha = carveShares(merged, StrategyId('alpha'));
    expect(alpha.positions.get(SPY)?.toString()).toBe('0.6');
    expect(alpha.cash.toString()).toBe('0');
  });

  it('gives the last strategy still in the legacy book all that is left', () => {
    const merged = signals({ SPY: '0.5', GLD: '0.5' }, { SPY: '0.5' });
    const shares = carveShares(merged, StrategyId('alpha'), (id) => id !== 'beta');
    expect(shares.positions.get(SPY)?.toString()).toBe('1');
    expect(shares.cash.toString()).toBe('1');
  });

  it('conserves every position and the cash across the two books, and folding back restores the legacy book', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        (spy, gld, a, b) => {
          const legacy = legacyBook(String(spy), String(gld), '1234.56');
          const merged = signals({ SPY: `0.${a}`, GLD: '0' }, { SPY: `0.${b}` });
          const target = emptyBook(StrategyId('alpha'));
          const m = carveOut({
            legacy,
            target,
            shares: carveShares(merged, StrategyId('alpha')),
            assets: fractionable,
            id: 'm1',
            at,
          });
          const left = applyTransfer(legacy, m.out);
          const got = applyTransfer(target, m.in);
          for (const symbol of [SPY, GLD]) {
            const total = (quantitiesOf(left).get(symbol) ?? Quantity.ZERO).plus(
              quantitiesOf(got).get(symbol) ?? Quantity.ZERO,
            );
            expect(total.toString()).toBe((quantitiesOf(legacy).get(symbol) ?? Quantity.ZERO).toString());
          }
          expect(left.cash.plus(got.cash).toString()).toBe('1234.56');
          const back = foldBack({ book: got, legacy: left, id: 'm2', at });
          const restored = applyTransfer(left, back.in);
          expect(restored.lots).toEqual(legacy.lots);
          expect(restored.cash.toString()).toBe(legacy.cash.toString());
        },
      ),
      { numRuns: 60 },
    );
  });
});
