import { EXTERNAL, LEGACY, Money, Quantity, type StrategyId, type Symbol } from '@books/core';
import fc from 'fast-check';
import { InvalidReconciliationInputError } from '../src/errors';
import { type InFlightOrder, type ReconcileInput, reconcile } from '../src/reconcile';
import { quantityArb, SYMBOLS } from './support/arbitraries';
import { prices, qty, quantities, sid, str, sym, usd } from './support/builders';

const alpha = sid('alpha');
const beta = sid('beta');

const input = (over: Partial<ReconcileInput> = {}): ReconcileInput => ({
  books: new Map([
    [alpha, quantities({ SPY: '60', AAPL: '1.5' })],
    [beta, quantities({ SPY: '40' })],
  ]),
  broker: quantities({ SPY: '100', AAPL: '1.5' }),
  inFlight: [],
  prices: prices({ SPY: '100', AAPL: '200', TSLA: '250', NVDA: '50' }),
  cash: {
    broker: usd('1000'),
    books: new Map([
      [alpha, usd('300')],
      [beta, usd('200')],
    ]),
    unallocated: usd('500'),
  },
  ...over,
});

const inFlight = (
  strategyId: StrategyId,
  symbol: string,
  side: 'buy' | 'sell',
  q: string,
): InFlightOrder => ({
  strategyId,
  symbol: sym(symbol),
  side,
  qty: qty(q),
});

const row = (r: ReturnType<typeof reconcile>, symbol: string) => r.symbols.find((s) => s.symbol === symbol);
const perBook = (r: ReturnType<typeof reconcile>, symbol: string) =>
  row(r, symbol)?.books.map((b) => [
    b.strategyId,
    str(b.qty),
    str(b.unexplainedQty),
    str(b.unexplainedValue),
  ]);

describe('reconcile', () => {
  it('matches every symbol and the cash when the books explain the broker exactly', () => {
    const r = reconcile(input());
    expect(r.symbols.map((s) => [s.symbol, s.status, str(s.ownedQty), str(s.brokerQty)])).toEqual([
      ['AAPL', 'MATCH', '1.5', '1.5'],
      ['SPY', 'MATCH', '100', '100'],
    ]);
    expect(r.cash.status).toBe('MATCH');
    expect(r.ok).toBe(true);
    expect(r.breaks).toEqual([]);
  });

  it('reports a position no book owns as UNOWNED and gives it to the EXTERNAL book', () => {
    const r = reconcile(input({ broker: quantities({ SPY: '100', AAPL: '1.5', TSLA: '5' }) }));
    expect(row(r, 'TSLA')?.status).toBe('UNOWNED');
    expect(str(row(r, 'TSLA')?.brokerValue ?? null)).toBe('1250');
    expect([...r.external].map(([s, q]) => [s, str(q)])).toEqual([['TSLA', '5']]);
    expect(r.ok).toBe(false);
  });

  it('matches a position already attributed to the EXTERNAL book', () => {
    const books = new Map(input().books).set(EXTERNAL, quantities({ TSLA: '5' }));
    const r = reconcile(input({ books, broker: quantities({ SPY: '100', AAPL: '1.5', TSLA: '5' }) }));
    expect(row(r, 'TSLA')?.status).toBe('MATCH');
    expect(r.external.size).toBe(0);
  });

  it('reports books owning what the broker does not hold as PHANTOM, per book', () => {
    const books = new Map(input().books).set(alpha, quantities({ SPY: '60', AAPL: '1.5', NVDA: '3' }));
    const r = reconcile(input({ books }));
    expect(row(r, 'NVDA')?.status).toBe('PHANTOM');
    expect(perBook(r, 'NVDA')).toEqual([['alpha', '3', '-3', '-150']]);
  });

  it('splits a drift on a symbol held by several books pro rata, never into one book', () => {
    const r = reconcile(input({ broker: quantities({ SPY: '90', AAPL: '1.5' }) }));
    expect(row(r, 'SPY')?.status).toBe('DRIFT');
    expect(str(row(r, 'SPY')?.unexplained ?? null)).toBe('-10');
    expect(perBook(r, 'SPY')).toEqual([
      ['alpha', '60', '-6', '-600'],
      ['beta', '40', '-4', '-400'],
    ]);
    expect(r.breaks.map((b) => b.symbol)).toEqual(['SPY']);
  });

  it('reports an excess over the owned quantity as DRIFT on the holders, not as UNOWNED', () => {
    const r = reconcile(input({ broker: quantities({ SPY: '103', AAPL: '1.5' }) }));
    expect(row(r, 'SPY')?.status).toBe('DRIFT');
    expect(perBook(r, 'SPY')).toEqual([
      ['alpha', '60', '1.8', '180'],
      ['beta', '40', '1.2', '120'],
    ]);
  });

  it.each([
    ['a partly filled BUY', [inFlight(alpha, 'SPY', 'buy', '5')], '103', 'MATCH', '0'],
    ['a fully filled BUY', [inFlight(alpha, 'SPY', 'buy', '5')], '105', 'MATCH', '0'],
    ['a BUY that cannot explain all of it', [inFlight(alpha, 'SPY', 'buy', '5')], '106', 'DRIFT', '1'],
    ['a partly filled SELL', [inFlight(beta, 'SPY', 'sell', '4')], '97', 'MATCH', '0'],
    ['a SELL that cannot explain all of it', [inFlight(beta, 'SPY', 'sell', '4')], '95', 'DRIFT', '-1'],
  ])('lets in-flight orders explain the difference: %s', (_name, orders, broker, status, unexplained) => {
    const r = reconcile(input({ inFlight: orders, broker: quantities({ SPY: broker, AAPL: '1.5' }) }));
    expect([row(r, 'SPY')?.status, str(row(r, 'SPY')?.unexplained ?? null)]).toEqual([status, unexplained]);
  });

  it('attributes a drift on a symbol only in flight to the strategies with the orders', () => {
    const orders = [inFlight(alpha, 'MSFT', 'buy', '3'), inFlight(beta, 'MSFT', 'buy', '1')];
    const r = reconcile(
      input({ inFlight: orders, broker: quantities({ SPY: '100', AAPL: '1.5', MSFT: '8' }) }),
    );
    expect(row(r, 'MSFT')?.status).toBe('DRIFT');
    expect(perBook(r, 'MSFT')).toEqual([
      ['alpha', '0', '3', null],
      ['beta', '0', '1', null],
    ]);
  });

  it('matches within the quantity tolerance and breaks just outside it', () => {
    const near = reconcile(input({ broker: quantities({ SPY: '100.000000001', AAPL: '1.5' }) }));
    expect(row(near, 'SPY')?.status).toBe('MATCH');
    const far = reconcile(input({ broker: quantities({ SPY: '100.000000002', AAPL: '1.5' }) }));
    expect(row(far, 'SPY')?.status).toBe('DRIFT');
    const loose = reconcile(
      input({ broker: quantities({ SPY: '100.01', AAPL: '1.5' }), tolerances: { qty: qty('0.01') } }),
    );
    expect(row(loose, 'SPY')?.status).toBe('MATCH');
  });

  it('counts the LEGACY book as an owner', () => {
    const r = reconcile(
      input({ legacy: quantities({ QQQ: '7' }), broker: quantities({ SPY: '100', AAPL: '1.5', QQQ: '7' }) }),
    );
    expect(row(r, 'QQQ')?.status).toBe('MATCH');
    expect(row(r, 'QQQ')?.books.map((b) => b.strategyId)).toEqual([LEGACY]);
  });

  it('values nothing it has no price for, and still reconciles', () => {
    const r = reconcile(input({ prices: new Map() }));
    expect(r.ok).toBe(true);
    expect(row(r, 'SPY')?.brokerValue).toBeNull();
  });

  it('leaves out a zero broker position that no book owns', () => {
    const r = reconcile(input({ broker: quantities({ SPY: '100', AAPL: '1.5', GME: '0' }) }));
    expect(row(r, 'GME')).toBeUndefined();
  });

  it.each([
    ['broker cash equal to books + unallocated', '1000', [], 'MATCH', '0'],
    ['a cent inside the tolerance', '1000.01', [], 'MATCH', '0'],
    ['more than a cent off', '999.98', [], 'DRIFT', '-0.02'],
    [
      'a lower broker cash explained by an in-flight BUY',
      '900',
      [inFlight(alpha, 'SPY', 'buy', '1')],
      'MATCH',
      '0',
    ],
    [
      'a higher broker cash explained by an in-flight SELL',
      '1100',
      [inFlight(alpha, 'SPY', 'sell', '1')],
      'MATCH',
      '0',
    ],
  ])('reconciles cash: %s', (_name, broker, orders, status, unexplained) => {
    const base = input();
    const r = reconcile(input({ inFlight: orders, cash: { ...base.cash, broker: usd(broker) } }));
    expect([r.cash.status, str(r.cash.unexplained), str(r.cash.expected)]).toEqual([
      status,
      unexplained,
      '1000',
    ]);
  });

  it.each([
    ['positions', { legacy: quantities({}), books: new Map([[LEGACY, quantities({})]]) }],
    [
      'cash',
      {
        cash: {
          broker: usd('0'),
          books: new Map([[LEGACY, usd('0')]]),
          legacy: usd('0'),
          unallocated: usd('0'),
        },
      },
    ],
  ])('rejects LEGACY %s given twice', (_name, over) => {
    expect(() => reconcile(input(over))).toThrow(InvalidReconciliationInputError);
  });

  it('breaks on a negative pool even when the cash adds up (never a MATCH)', () => {
    const base = input();
    const r = reconcile(
      input({
        cash: {
          ...base.cash,
          broker: base.cash.broker.minus(base.cash.unallocated).plus(usd('-3148.64')),
          unallocated: usd('-3148.64'),
        },
      }),
    );
    expect(r.cash.status).toBe('DRIFT');
    expect(r.cash.unexplained.isZero()).toBe(true);
    expect(r.cash.violations).toEqual(['the pool is negative (-3148.64)']);
    expect(r.ok).toBe(false);
  });

  it('breaks when the books claim more equity than the account has', () => {
    const r = reconcile(input({ equity: { books: usd('1000.01'), account: usd('1000.00') } }));
    expect(r.cash.status).toBe('DRIFT');
    expect(r.cash.violations).toEqual(["Σ book equity 1000.01 exceeds the account's equity 1000"]);
  });

  it('finds consistent inputs all MATCH (property)', () => {
    const strategies = [sid('s1'), sid('s2'), sid('s3'), EXTERNAL];
    const bookArb = fc.array(fc.tuple(fc.constantFrom(...SYMBOLS), quantityArb), { maxLength: 4 });
    const cashArb = fc.integer({ min: -1_000_000, max: 100_000_000 }).map((c) => Money.of(c).dividedBy(100));
    fc.assert(
      fc.property(
        fc.tuple(...strategies.map(() => bookArb)),
        fc.tuple(...strategies.map(() => cashArb)),
        cashArb.map((c) => c.abs()),
        (raw, cash, pool) => {
          const books = new Map<StrategyId, Map<Symbol, Quantity>>();
          const broker = new Map<Symbol, Quantity>();
          strategies.forEach((s, i) => {
            const positions = new Map<Symbol, Quantity>();
            for (const [symbol, q] of raw[i] ?? [])
              positions.set(symbol, (positions.get(symbol) ?? Quantity.ZERO).plus(q));
            books.set(s, positions);
            for (const [symbol, q] of positions)
              broker.set(symbol, (broker.get(symbol) ?? Quantity.ZERO).plus(q));
          });
          const bookCash = new Map(strategies.map((s, i) => [s, cash[i] ?? Money.ZERO]));
          const brokerCash = Money.sum(bookCash.values()).plus(pool);
          const r = reconcile({
            books,
            broker,
            inFlight: [],
            cash: { broker: brokerCash, books: bookCash, unallocated: pool },
          });
          expect(r.symbols.every((s) => s.status === 'MATCH')).toBe(true);
          expect(r.symbols.map((s) => s.symbol)).toEqual([...broker.keys()].sort());
          expect(r.ok).toBe(true);
        },
      ),
    );
  });

  it('splits any drift so that the books’ shares add up to the unexplained quantity (property)', () => {
    fc.assert(
      fc.property(fc.array(quantityArb, { minLength: 1, maxLength: 5 }), quantityArb, (owned, brokerQty) => {
        const books = new Map(owned.map((q, i) => [sid(`s${i}`), new Map([[sym('SPY'), q]])]));
        const r = reconcile({
          books,
          broker: new Map([[sym('SPY'), brokerQty]]),
          inFlight: [],
          cash: { broker: Money.ZERO, books: new Map(), unallocated: Money.ZERO },
        });
        const spy = r.symbols[0];
        const split = Quantity.sum((spy?.books ?? []).map((b) => b.unexplainedQty));
        const unexplained = spy?.unexplained ?? Quantity.ZERO;
        expect(split.minus(unexplained).abs().lte(Quantity.of('0.000000001').times(owned.length))).toBe(true);
      }),
    );
  });
});
