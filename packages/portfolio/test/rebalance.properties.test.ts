import { Money, notional, Price, Quantity, type Symbol, Weight } from '@books/core';
import fc from 'fast-check';
import { applyFill, type Book, emptyBook, heldQuantity } from '../src/book';
import { type AssetInfo, planRebalance, type RebalancePlan } from '../src/rebalance';
import { applyTransfer } from '../src/transfers';
import { bookEquity } from '../src/valuation';
import { priceArb, quantityArb } from './support/arbitraries';
import { at, sid, sym } from './support/builders';

const UNIVERSE: readonly Symbol[] = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'].map(sym);
const MIN = Money.of(1);

const scenarioArb = fc.record({
  holdings: fc.array(
    fc.record({ symbol: fc.constantFrom(...UNIVERSE.slice(0, 4)), qty: quantityArb, price: priceArb }),
    {
      maxLength: 6,
    },
  ),
  cashCents: fc.integer({ min: 0, max: 50_000_000 }),
  marks: fc.tuple(...UNIVERSE.map(() => priceArb)),
  fractionable: fc.tuple(...UNIVERSE.map(() => fc.boolean())),
  targetUnits: fc.tuple(...UNIVERSE.map(() => fc.integer({ min: 0, max: 10 }))),
  capitalPermille: fc.integer({ min: 0, max: 2000 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function setUp(s: Scenario) {
  const lots = s.holdings.map((h, i) => ({
    fillId: `b${i}`,
    orderId: `o${i}`,
    symbol: h.symbol,
    side: 'buy' as const,
    qty: h.qty,
    price: h.price,
    fees: Money.ZERO,
    at: at(i + 1),
  }));
  const funding = Money.sum(lots.map((f) => notional(f.qty, f.price))).plus(
    Money.of(s.cashCents).dividedBy(100),
  );
  let book = emptyBook(sid());
  if (funding.isPositive())
    book = applyTransfer(book, { id: 'seed', amount: funding, reason: 'funding', at: at(0) });
  for (const f of lots) book = applyFill(book, f).book;
  const prices = new Map<Symbol, Price>(UNIVERSE.map((sy, i) => [sy, s.marks[i] ?? Price.of(1)]));
  const assets = new Map<Symbol, AssetInfo>(
    UNIVERSE.map((sy, i) => [sy, { fractionable: s.fractionable[i] ?? false }]),
  );
  const unitTotal = s.targetUnits.reduce((a, b) => a + b, 0);
  const targets = new Map<Symbol, Weight>();
  UNIVERSE.forEach((sy, i) => {
    const units = s.targetUnits[i] ?? 0;
    if (units > 0) targets.set(sy, Weight.of(units).dividedBy(unitTotal).truncate(12));
  });
  return { book, prices, assets, targets };
}

/** Fills every planned trade at its planning price, no fees: SELLs first, then BUYs. */
function execute(book: Book, plan: RebalancePlan): Book {
  let after = book;
  [...plan.sells, ...plan.buys].forEach((t, i) => {
    after = applyFill(after, {
      fillId: `x${i}`,
      orderId: `x${i}`,
      symbol: t.symbol,
      side: t.side,
      qty: t.qty,
      price: t.price,
      fees: Money.ZERO,
      at: at(1000 + i),
    }).book;
  });
  return after;
}

describe('planRebalance (properties)', () => {
  it('executed at planning prices, never oversells, never spends cash it does not have, and lands on its own cash estimate', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { book, prices, assets, targets } = setUp(s);
        const equity = bookEquity(book, prices);
        const capital = equity
          .times(s.capitalPermille)
          .dividedBy(1000)
          .plus(Money.of(s.capitalPermille % 7));
        const plan = planRebalance({ book, targets, capital, prices, assets });
        for (const t of plan.sells) expect(t.qty.lte(heldQuantity(book, t.symbol))).toBe(true);
        const after = execute(book, plan);
        expect(after.cash.isNegative()).toBe(false);
        expect(after.cash.eq(plan.estimatedCashAfter)).toBe(true);
      }),
    );
  });

  it('executed at planning prices, lands every symbol within one minimum trade (or one whole share) of its target', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { book, prices, assets, targets } = setUp(s);
        const granularity = (sy: Symbol): Money => {
          const p = prices.get(sy) ?? Price.of(0);
          return assets.get(sy)?.fractionable
            ? notional(Quantity.of('0.000000001'), p)
            : notional(Quantity.of(1), p);
        };
        // Keep back, per symbol, what rounding and suppression may leave unsold: then no buy is scaled.
        const reserve = Money.sum(UNIVERSE.map((sy) => MIN.plus(granularity(sy))));
        const capital = bookEquity(book, prices).minus(reserve);
        fc.pre(!capital.isNegative());
        const plan = planRebalance({ book, targets, capital, prices, assets, minNotional: MIN });
        expect(plan.suppressed.filter((t) => t.reason === 'insufficient-cash')).toEqual([]);
        const after = execute(book, plan);
        for (const sy of UNIVERSE) {
          const price = prices.get(sy) ?? Price.of(0);
          const value = notional(heldQuantity(after, sy), price);
          const target = capital.times((targets.get(sy) ?? Weight.ZERO).value);
          expect(
            value
              .minus(target)
              .abs()
              .lt(MIN.plus(granularity(sy))),
          ).toBe(true);
        }
      }),
    );
  });
});
