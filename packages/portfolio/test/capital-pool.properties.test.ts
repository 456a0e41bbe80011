import {
  type CapitalPolicy,
  Money,
  notional,
  Price,
  Quantity,
  RunId,
  type StrategyId,
  Weight,
} from '@books/core';
import fc from 'fast-check';
import { applyFill, type Book, emptyBook } from '../src/book';
import { grantTopUps } from '../src/capital-grants';
import { planBookCapital } from '../src/capital-policy';
import { capitalViolations } from '../src/reconcile';
import { applyTransfer } from '../src/transfers';
import { valueBook } from '../src/valuation';
import { at, sid, sym } from './support/builders';

/**
 * A pure model of the account and the ledger: the books, the pool and the broker's cash, moved by
 * random sequences of runs (the coordinator's grants, then every worker's capital transfer in a
 * random order), fills, price moves, deposits and withdrawals. The pool is debited as the ledger's
 * conditional write debits it: a debit it cannot pay is a refusal, which must never happen to a
 * granted top-up.
 */
const SPY = sym('SPY');
const STRATEGIES = [sid('s1'), sid('s2'), sid('s3')];

interface State {
  readonly broker: Money;
  readonly pool: Money;
  readonly price: Price;
  readonly books: ReadonlyMap<StrategyId, Book>;
  readonly fills: number;
  readonly runs: number;
}

type Op =
  | {
      readonly kind: 'run';
      readonly allocations: readonly number[];
      readonly order: readonly number[];
      readonly policy: CapitalPolicy;
    }
  | { readonly kind: 'buy' | 'sell'; readonly book: number; readonly fraction: number }
  | { readonly kind: 'price'; readonly cents: number }
  | { readonly kind: 'deposit' | 'withdrawal'; readonly cents: number };

const policyArb = fc.constantFrom<CapitalPolicy>(
  { mode: 'target' },
  { mode: 'drift', threshold: Weight.of('0.1') },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('run' as const),
    // Allocations in thousandths; their sum may exceed 1 (the pool still caps what is paid).
    allocations: fc.tuple(...STRATEGIES.map(() => fc.integer({ min: 0, max: 600 }))),
    order: fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }),
    policy: policyArb,
  }),
  fc.record({
    kind: fc.constantFrom('buy' as const, 'sell' as const),
    book: fc.integer({ min: 0, max: 2 }),
    fraction: fc.integer({ min: 1, max: 100 }),
  }),
  fc.record({ kind: fc.constant('price' as const), cents: fc.integer({ min: 100, max: 100_000 }) }),
  fc.record({
    kind: fc.constantFrom('deposit' as const, 'withdrawal' as const),
    cents: fc.integer({ min: 1, max: 5_000_000 }),
  }),
);

const cents = (n: number) => Money.of(n).dividedBy(100);
const positionsValue = (s: State) =>
  Money.sum([...s.books.values()].map((b) => valueBook(b, new Map([[SPY, s.price]])).marketValue));
const accountEquity = (s: State) => s.broker.plus(positionsValue(s));

/** A debit of the pool as the ledger's condition allows it (the pool stays ≥ 0), else undefined. */
const debitPool = (pool: Money, amount: Money): Money | undefined =>
  pool.minus(amount).isNegative() ? undefined : pool.minus(amount);

function run(s: State, op: Extract<Op, { kind: 'run' }>): State {
  const runId = RunId(`paper-2026-01-${String(10 + s.runs).padStart(2, '0')}`);
  const equity = accountEquity(s);
  const prices = new Map([[SPY, s.price]]);
  const inputOf = (i: number) => {
    const strategyId = STRATEGIES[i] as StrategyId;
    const book = s.books.get(strategyId);
    return {
      runId,
      strategyId,
      allocation: Weight.of(op.allocations[i] ?? 0).dividedBy(1000),
      accountEquity: equity,
      policy: op.policy,
      ...(book ? { book: { equity: valueBook(book, prices).equity, cash: book.cash } } : {}),
      at: at(s.runs),
    };
  };
  // The coordinator's snapshot: what each book wants, shared out of the pool as it stands.
  const grants = grantTopUps(
    s.pool,
    STRATEGIES.map((_, i) => {
      const amount = planBookCapital(inputOf(i)).transfer?.amount ?? Money.ZERO;
      return { strategyId: STRATEGIES[i] as StrategyId, wanted: amount };
    }),
  );
  let pool = s.pool;
  const books = new Map(s.books);
  for (const i of op.order) {
    const input = inputOf(i);
    const decision = planBookCapital({ ...input, topUpLimit: grants.get(input.strategyId) ?? Money.ZERO });
    const transfer = decision.transfer;
    if (!transfer) continue;
    const book = books.get(input.strategyId) ?? emptyBook(input.strategyId);
    const next = debitPool(pool, transfer.amount);
    if (next === undefined)
      throw new Error(
        `the pool ${pool} refused a granted top-up of ${transfer.amount} to ${input.strategyId}`,
      );
    expect(book.cash.plus(transfer.amount).isNegative()).toBe(false);
    pool = next;
    books.set(input.strategyId, applyTransfer(book, transfer));
  }
  // Capital transfers move no broker cash.
  return { ...s, pool, books, runs: s.runs + 1 };
}

function step(s: State, op: Op): State {
  switch (op.kind) {
    case 'run':
      return run(s, op);
    case 'price':
      return { ...s, price: Price.of(cents(op.cents).value) };
    case 'deposit':
      return { ...s, pool: s.pool.plus(cents(op.cents)), broker: s.broker.plus(cents(op.cents)) };
    case 'withdrawal': {
      const pool = debitPool(s.pool, cents(op.cents));
      return pool === undefined ? s : { ...s, pool, broker: s.broker.minus(cents(op.cents)) };
    }
    case 'buy':
    case 'sell': {
      const strategyId = STRATEGIES[op.book] as StrategyId;
      const book = s.books.get(strategyId);
      if (!book) return s;
      const held = Quantity.sum(book.lots.map((l) => l.openQty));
      const qty =
        op.kind === 'buy'
          ? Quantity.of(book.cash.times(op.fraction).dividedBy(100).value.dividedBy(s.price.value)).truncate(
              4,
            )
          : held.times(op.fraction).dividedBy(100).truncate(4);
      if (!qty.isPositive() || (op.kind === 'buy' && notional(qty, s.price).gt(book.cash))) return s;
      const fillId = `f${s.fills}`;
      const applied = applyFill(book, {
        fillId,
        orderId: fillId,
        symbol: SPY,
        side: op.kind,
        qty,
        price: s.price,
        fees: Money.ZERO,
        at: at(1000 + s.fills),
      });
      return {
        ...s,
        broker: s.broker.plus(applied.cashDelta),
        books: new Map(s.books).set(strategyId, applied.book),
        fills: s.fills + 1,
      };
    }
  }
}

function violations(s: State): string[] {
  const prices = new Map([[SPY, s.price]]);
  return capitalViolations({
    brokerCash: s.broker,
    bookCash: [...s.books.values()].map((b) => b.cash),
    pool: s.pool,
    bookEquity: Money.sum([...s.books.values()].map((b) => valueBook(b, prices).equity)),
    accountEquity: accountEquity(s),
  });
}

const opening = (cash: number): State => ({
  broker: cents(cash),
  pool: cents(cash),
  price: Price.of('100'),
  books: new Map(),
  fills: 0,
  runs: 0,
});

describe('the unallocated pool (property)', () => {
  it('keeps pool ≥ 0, broker cash = Σ book cash + pool and Σ book equity ≤ account equity after every step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(opArb, { maxLength: 40 }),
        (cash, ops) => {
          let s = opening(cash);
          for (const op of ops) {
            s = step(s, op);
            expect(violations(s)).toEqual([]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('pays the same top-ups whichever worker runs first', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.array(opArb, { maxLength: 20 }),
        opArb.filter((o) => o.kind === 'run'),
        (cash, ops, last) => {
          if (last.kind !== 'run') return;
          const before = ops.reduce(step, opening(cash));
          const a = run(before, { ...last, order: [0, 1, 2] });
          const b = run(before, { ...last, order: [2, 1, 0] });
          expect(a.pool.toString()).toBe(b.pool.toString());
          for (const id of STRATEGIES)
            expect(a.books.get(id)?.cash.toString()).toBe(b.books.get(id)?.cash.toString());
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never tops up from an empty pool: the books cannot claim cash the account does not have', () => {
    // The replay: a book behind its allocation while the pool holds nothing.
    const s = run(opening(100_000_00), {
      kind: 'run',
      allocations: [500, 500, 0],
      order: [0, 1, 2],
      policy: { mode: 'target' },
    });
    expect(s.pool.toString()).toBe('0');
    const afterLoss = step(step(s, { kind: 'buy', book: 0, fraction: 100 }), { kind: 'price', cents: 5000 });
    const next = run(afterLoss, {
      kind: 'run',
      allocations: [500, 500, 0],
      order: [1, 0, 2],
      policy: { mode: 'drift', threshold: Weight.of('0.1') },
    });
    // s2's release this run goes to the pool; s1's top-up waits for the next run's snapshot.
    expect(next.books.get(sid('s1'))?.cash.toString()).toBe('0');
    expect(next.pool.isPositive()).toBe(true);
    expect(violations(next)).toEqual([]);
  });
});
