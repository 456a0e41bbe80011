import type {
  AccountCashActivity,
  DividendActivity,
  NonTradeActivity,
  SecurityMoveActivity,
  SplitActivity,
} from '@books/broker';
import { Decimal, Money, Quantity, type StrategyId, type Symbol, type TradingDate } from '@books/core';
import type { StoredPoolEntry } from '@books/ledger-client';
import { allocateProRata, type BookPosting, type Lot, openQuantity, splitQuantity } from '@books/portfolio';

/**
 * The activity planner: one broker activity (or the rows of one symbol change) and the books'
 * holdings → what to post. Pure; the ingestion reads and writes around it.
 *
 * Contract (DESIGN.md §5, issue 18):
 * - a dividend (DIV and variants, CGD) goes to the books that held the symbol at the close before
 *   its ex date (the row's "Ex Date", else its date), pro rata by those shares, as `income`
 *   (cash and realized P&L), to the cent: Σ shares = the net amount exactly (`allocateProRata`);
 *   when the row states the shares it paid on and the books held another number, it is pending;
 * - a split (SPLIT) on its date: every lot × to/from, cost unchanged; the whole shares the account
 *   kept (books' shares + the row's qty change) go to the books pro rata by their exact new
 *   quantities, and the cash in lieu to those giving up a fraction (a book receiving a fraction
 *   pays for it at the same price per share). Without a stated ratio, the ratio is the account's
 *   (kept ÷ held) when no cash was paid; otherwise pending;
 * - a symbol change (NC: the old symbol's shares out, the new one's in, equal counts) renames the
 *   holders' lots;
 * - account-level cash (CSD, CSW, INT, FEE, PTC/PTR, JNLC with no symbol) goes to the pool; a fee
 *   on a symbol goes to its holders pro rata by shares now, as a charge (`income` < 0);
 * - mergers, spin-offs, stock journals and reorganizations carry no terms the port can read, and
 *   unsupported rows, corrections and cancellations: pending, never a guess.
 * Pending names its reason; it becomes a break and an entry in the operator's queue.
 */

/** What one book held of a symbol: at the close before a date, and now (its open lots). */
export interface Holding {
  readonly strategyId: StrategyId;
  /** Shares at the close before the activity's date (lots now − bought since + sold since). */
  readonly heldBefore: Quantity;
  /** The book's open lots of the symbol now. */
  readonly lots: readonly Lot[];
}

export interface PlanContext {
  /** The instant the postings are stamped with (the ingestion's). */
  readonly at: string;
  /** Every book's holding of `symbol` relative to `date` (books holding none may be left out). */
  readonly holdings: (symbol: Symbol, date: TradingDate) => readonly Holding[];
}

export type ActivityPlan =
  | {
      readonly kind: 'books';
      readonly postings: readonly { readonly strategyId: StrategyId; readonly posting: BookPosting }[];
    }
  | { readonly kind: 'pool'; readonly entry: StoredPoolEntry }
  | { readonly kind: 'pending'; readonly reason: string };

const pending = (reason: string): ActivityPlan => ({ kind: 'pending', reason });

/** Plans one activity, or the rows of one symbol change (`group`, NC rows of one event). */
export function planActivity(group: readonly NonTradeActivity[], ctx: PlanContext): ActivityPlan {
  const first = group[0];
  if (!first) return pending('no activity');
  const amended = group.find((a) => a.status !== 'executed');
  if (amended)
    return pending(
      `${amended.activityType} ${amended.id} is a ${amended.status} row: amends an earlier activity`,
    );
  if (group.length > 1 || first.kind === 'name_change') return planRename(group, ctx);
  switch (first.kind) {
    case 'dividend':
      return planDividend(first, ctx);
    case 'split':
      return planSplit(first, ctx);
    case 'account_cash':
      return planAccountCash(first, ctx);
    case 'merger':
    case 'spinoff':
    case 'stock_journal':
    case 'reorg':
      return pending(`${first.activityType} of ${first.symbol} carries no terms to map the lots by`);
    case 'unsupported':
      return pending(`${first.activityType} is not supported: ${first.reason}`);
  }
}

const EX_DATE = /Ex Date:\s*(\d{4}-\d{2}-\d{2})/i;

/** The ex date a dividend row states, else the row's date. */
export function exDateOf(a: DividendActivity): TradingDate {
  const description = a.raw.description;
  const m = typeof description === 'string' ? EX_DATE.exec(description) : null;
  return (m?.[1] as TradingDate | undefined) ?? a.date;
}

function planDividend(a: DividendActivity, ctx: PlanContext): ActivityPlan {
  const exDate = exDateOf(a);
  const holders = ctx.holdings(a.symbol, exDate).filter((h) => h.heldBefore.isPositive());
  const held = Quantity.sum(holders.map((h) => h.heldBefore));
  if (holders.length === 0) return pending(`no book held ${a.symbol} at its ex date ${exDate}`);
  if (a.qty && !a.qty.eq(held))
    return pending(`the broker paid ${a.symbol} on ${a.qty} shares; the books held ${held} at ${exDate}`);
  return incomeTo(
    a,
    a.symbol,
    a.netAmount,
    holders.map((h) => [h.strategyId, h.heldBefore] as const),
    ctx,
  );
}

function planAccountCash(a: AccountCashActivity, ctx: PlanContext): ActivityPlan {
  if (a.symbol === null) {
    const deposit = a.cashType === 'CSD';
    const withdrawal = a.cashType === 'CSW';
    const amount = deposit ? a.netAmount.abs() : withdrawal ? a.netAmount.abs().negated() : a.netAmount;
    return {
      kind: 'pool',
      entry: {
        id: a.id,
        kind: deposit ? 'deposit' : withdrawal ? 'withdrawal' : 'activity',
        amount,
        at: ctx.at,
        note: `${a.activityType} ${a.date}`,
      },
    };
  }
  const holders = ctx.holdings(a.symbol, a.date).map((h) => [h.strategyId, openQuantity(h.lots)] as const);
  const holding = holders.filter(([, q]) => q.isPositive());
  if (holding.length === 0) return pending(`${a.activityType} on ${a.symbol}, which no book holds`);
  return incomeTo(a, a.symbol, a.netAmount, holding, ctx);
}

function incomeTo(
  a: NonTradeActivity,
  symbol: Symbol,
  amount: Money,
  holders: readonly (readonly [StrategyId, Quantity])[],
  ctx: PlanContext,
): ActivityPlan {
  const places = Math.max(2, amount.value.decimalPlaces());
  const parts = allocateProRata(
    amount.value,
    holders.map(([, q]) => q.value),
    places,
  );
  return {
    kind: 'books',
    postings: holders.map(([strategyId], i) => ({
      strategyId,
      posting: { kind: 'income', id: a.id, at: ctx.at, symbol, amount: Money.of(parts[i] as Decimal) },
    })),
  };
}

function planSplit(a: SplitActivity, ctx: PlanContext): ActivityPlan {
  const holders = ctx
    .holdings(a.symbol, a.date)
    .filter((h) => h.lots.length > 0 || h.heldBefore.isPositive());
  if (holders.length === 0) return pending(`split of ${a.symbol}, which no book holds`);
  const traded = holders.find((h) => !openQuantity(h.lots).eq(h.heldBefore));
  if (traded)
    return pending(
      `${traded.strategyId} traded ${a.symbol} since the split's date ${a.date}: lots cannot be split safely`,
    );
  const held = Quantity.sum(holders.map((h) => h.heldBefore));
  const kept = held.plus(a.qtyChange);
  if (!kept.isPositive() && !kept.isZero())
    return pending(`split of ${a.symbol} leaves ${kept} shares to the books`);
  let ratio = a.ratio;
  if (!ratio) {
    if (!a.cashInLieu.isZero()) return pending(`split of ${a.symbol} states no ratio and pays cash in lieu`);
    ratio = { from: held.toString(), to: kept.toString() };
  }
  const { from, to } = ratio;
  const exact = holders.map((h) => Quantity.sum(h.lots.map((l) => splitQuantity(l.openQty, from, to))));
  const total = Quantity.sum(exact);
  const removed = total.minus(kept);
  if (removed.isNegative())
    return pending(
      `split of ${a.symbol}: the broker kept ${kept}, more than the books' ${total} after ${to}:${from}`,
    );
  // Shares given up for no cash are possible (dust below half a cent); cash for none given up is not.
  if (removed.isZero() && !a.cashInLieu.isZero())
    return pending(
      `split of ${a.symbol}: ${removed} share(s) given up by the books but ${a.cashInLieu} cash in lieu paid`,
    );
  const keeps = removed.isZero()
    ? exact.map((q) => q.value)
    : allocateProRata(
        kept.value,
        exact.map((q) => q.value),
        kept.value.isInteger() ? 0 : Quantity.MAX_DECIMALS,
      );
  const given = exact.map((q, i) => q.value.minus(keeps[i] as Decimal));
  const cash = cashInLieuShares(a.cashInLieu, removed, given);
  return {
    kind: 'books',
    postings: holders.map((h, i) => ({
      strategyId: h.strategyId,
      posting: {
        kind: 'split',
        id: a.id,
        at: ctx.at,
        symbol: a.symbol,
        from,
        to,
        keepQty: Quantity.of(keeps[i] as Decimal),
        cash: cash[i] as Money,
      },
    })),
  };
}

/**
 * The cash in lieu per book: `given[i]` shares given up (negative: received) at the account's price
 * per share (cash ÷ shares given up). A receiver pays its shares × price to the cent; the rest of the
 * cash (the total plus what receivers pay) goes to the givers pro rata, so Σ = the cash paid.
 */
function cashInLieuShares(cash: Money, removed: Quantity, given: readonly Decimal[]): Money[] {
  if (removed.isZero()) return given.map(() => Money.ZERO);
  const perShare = cash.value.dividedBy(removed.value);
  const out = given.map((g) => (g.lt(0) ? g.times(perShare).toDecimalPlaces(2) : new Decimal(0)));
  const paid = out.reduce((s, x) => s.plus(x), new Decimal(0));
  const givers = given.map((g) => (g.gt(0) ? g : new Decimal(0)));
  const shares = allocateProRata(cash.value.minus(paid), givers, Math.max(2, cash.value.decimalPlaces()));
  return out.map((x, i) => Money.of(given[i]?.gt(0) ? (shares[i] as Decimal) : x));
}

function planRename(group: readonly NonTradeActivity[], ctx: PlanContext): ActivityPlan {
  const moves = group.filter((a): a is SecurityMoveActivity => a.kind === 'name_change');
  const out = moves.find((a) => a.qty.isNegative());
  const into = moves.find((a) => a.qty.isPositive());
  if (moves.length !== group.length || moves.length !== 2 || !out || !into)
    return pending(`symbol change ${group.map((a) => a.id).join(', ')}: expected one row out and one in`);
  if (!out.qty.negated().eq(into.qty))
    return pending(
      `symbol change ${out.symbol} → ${into.symbol}: ${out.qty.negated()} out, ${into.qty} in (not one for one)`,
    );
  const holders = ctx.holdings(out.symbol, out.date).filter((h) => h.lots.length > 0);
  const held = Quantity.sum(holders.map((h) => openQuantity(h.lots)));
  if (holders.length === 0) return pending(`symbol change of ${out.symbol}, which no book holds`);
  if (!held.eq(into.qty))
    return pending(
      `symbol change ${out.symbol} → ${into.symbol}: the books hold ${held}, the broker moved ${into.qty}`,
    );
  return {
    kind: 'books',
    postings: holders.map((h) => ({
      strategyId: h.strategyId,
      posting: { kind: 'rename', id: out.id, at: ctx.at, symbol: out.symbol, newSymbol: into.symbol },
    })),
  };
}
