import { LEGACY, Money, Price, Quantity, StrategyId, Symbol } from '@books/core';
import { applyTransfer, type Book, emptyBook, type Lot, quantitiesOf } from '@books/portfolio';
import { chunkCount, chunkTransferId, MigrationShortfallError, nextChunk } from '../src/migration-chunks';

const SPY = Symbol('SPY');
const TLT = Symbol('TLT');
const ALPHA = StrategyId('alpha');
const at = '2025-03-04T23:00:00.000Z';

function lot(symbol: Symbol, i: number, qty: string): Lot {
  const q = Quantity.parse(qty);
  return {
    symbol,
    openedAt: `2025-01-0${1 + (i % 9)}T15:00:00.000Z`,
    orderId: `o${symbol}${i}`,
    openQty: q,
    openPrice: Price.parse('10'),
    cost: Money.of(q.value.times(10)),
  };
}

/** LEGACY with 3 SPY lots of 2 and 2 TLT lots of 5, and 100 in cash. */
function legacy(): Book {
  const lots = [lot(SPY, 1, '2'), lot(SPY, 2, '2'), lot(SPY, 3, '2'), lot(TLT, 1, '5'), lot(TLT, 2, '5')];
  return applyTransfer(emptyBook(LEGACY), {
    id: 'seed',
    amount: Money.parse('100'),
    reason: 'adjustment',
    at: '2025-01-01T00:00:00.000Z',
    positions: lots.map((l) => ({ direction: 'in', lot: l })),
  });
}

const base = {
  strategyId: ALPHA,
  direction: 'to-per-strategy' as const,
  plan: [
    { symbol: SPY, qty: Quantity.parse('5') },
    { symbol: TLT, qty: Quantity.parse('5') },
  ],
  cash: Money.parse('30'),
  id: 'mig-alpha',
  at,
};

describe('the chunks of a migration', () => {
  it('moves at most lotsPerChunk lots FIFO per chunk, the cash only with the last, until the plan is moved', () => {
    let from = legacy();
    let to = emptyBook(ALPHA);
    let moved = new Map<Symbol, Quantity>();
    const seen: string[] = [];
    for (let chunk = 1; chunk <= 10; chunk++) {
      const c = nextChunk({ ...base, fromBook: from, toBook: to, moved, lotsPerChunk: 2, chunk });
      if (!c.move) throw new Error('a chunk with nothing to move');
      from = applyTransfer(from, c.move.out);
      to = applyTransfer(to, c.move.in);
      moved = new Map(c.moved);
      seen.push(`${c.move.out.id} ${c.lots} lots, cash ${c.move.cash} ${c.last ? 'last' : ''}`.trim());
      if (c.last) break;
    }
    // SPY 5 = lots of 2 + 2 + a piece of 1; then TLT 5 = one lot of 5.
    expect(seen).toEqual(['mig-alpha-c0001-out 2 lots, cash 0', 'mig-alpha-c0002-out 2 lots, cash 30 last']);
    expect(quantitiesOf(to)).toEqual(
      new Map([
        [SPY, Quantity.parse('5')],
        [TLT, Quantity.parse('5')],
      ]),
    );
    expect(quantitiesOf(from).get(SPY)?.toString()).toBe('1');
    expect(to.cash.toString()).toBe('30');
    expect(chunkCount(to.lots.length, 2)).toBe(2);
  });

  it('a plan with nothing left to move but cash moves only the cash; nothing at all is no move', () => {
    const c = nextChunk({
      ...base,
      plan: [],
      fromBook: legacy(),
      toBook: emptyBook(ALPHA),
      moved: new Map(),
      lotsPerChunk: 40,
      chunk: 1,
    });
    expect(c).toMatchObject({ last: true, lots: 0 });
    expect(c.move?.cash.toString()).toBe('30');
    const none = nextChunk({
      ...base,
      plan: [],
      cash: Money.ZERO,
      fromBook: legacy(),
      toBook: emptyBook(ALPHA),
      moved: new Map(),
      lotsPerChunk: 40,
      chunk: 1,
    });
    expect(none.move).toBeUndefined();
    expect(none.last).toBe(true);
  });

  it('refuses a giving book that holds less than the plan has left', () => {
    expect(() =>
      nextChunk({
        ...base,
        plan: [{ symbol: SPY, qty: Quantity.parse('7') }],
        fromBook: legacy(),
        toBook: emptyBook(ALPHA),
        moved: new Map(),
        lotsPerChunk: 40,
        chunk: 1,
      }),
    ).toThrow(MigrationShortfallError);
  });

  it('names its transfers so that they sort in chunk order', () => {
    expect([chunkTransferId('m', 10), chunkTransferId('m', 9)].sort()).toEqual(['m-c0009', 'm-c0010']);
  });
});
