import { Money } from '@books/core';

/**
 * The digest of a run: per book what it aimed for, traded and earned, with the account's breaks and
 * the controls in force. `buildDigest` is pure: every figure is computed from its input, which the
 * collector (`collect.ts`) reads from the ledger, the broker and the bars.
 *
 * P&L over a period = (equity now − capital transferred in, net, up to now)
 *                   − (equity at the period's base − capital transferred in up to the base),
 * so funding and capital moves are not profit. The bases: the close of the previous trading day
 * (day), of the last day of the previous month (month to date), of the previous year (year to
 * date). A book that did not exist at a base has 0 there.
 */

/** A book's equity and net transfers at one instant (decimal strings). */
export interface EquityPoint {
  readonly equity: string;
  readonly transfers: string;
}

export interface BookDigestInput {
  readonly strategyId: string;
  readonly status: string;
  readonly error?: string;
  /** The flow a run-time flag sets for the strategy, when one does. */
  readonly flowOverride?: string;
  readonly targets: readonly { readonly symbol: string; readonly weight: string }[];
  readonly trades: readonly {
    readonly side: string;
    readonly symbol: string;
    readonly qty: string;
    readonly state: string;
    readonly reason?: string;
  }[];
  readonly fills: readonly {
    readonly side: string;
    readonly symbol: string;
    readonly qty: string;
    readonly price: string;
  }[];
  /** Absent for a book whose P&L is not its own (the LEGACY book: attributed elsewhere). */
  readonly valuation?: {
    readonly now: EquityPoint;
    readonly cash: string;
    readonly bases: { readonly day?: EquityPoint; readonly month?: EquityPoint; readonly year?: EquityPoint };
  };
}

export interface DigestInput {
  readonly stage: string;
  readonly date: string;
  readonly runId: string;
  readonly runStatus: string;
  readonly books: readonly BookDigestInput[];
  readonly breaks: readonly { readonly subject: string; readonly status: string; readonly detail: string }[];
  /** Controls in force (flow flags; trader controls where the stage has them), as label → value. */
  readonly controls: readonly { readonly label: string; readonly value: string }[];
}

export interface BookDigest extends Omit<BookDigestInput, 'valuation'> {
  readonly equity?: string;
  readonly cash?: string;
  readonly pnl?: { readonly day: string; readonly month: string; readonly year: string };
}

export interface Digest extends Omit<DigestInput, 'books'> {
  readonly books: readonly BookDigest[];
  readonly totals: { readonly fills: number; readonly trades: number; readonly breaks: number };
}

const ZERO: EquityPoint = { equity: '0', transfers: '0' };

function netOf(point: EquityPoint): Money {
  return Money.parse(point.equity, 'equity').minus(Money.parse(point.transfers, 'transfers'));
}

/** P&L from `base` to `now` (see the module's contract), in cents. */
export function pnlBetween(base: EquityPoint | undefined, now: EquityPoint): string {
  return cents(netOf(now).minus(netOf(base ?? ZERO)));
}

function cents(m: Money): string {
  return m.toCents().value.toFixed(2);
}

export function buildDigest(input: DigestInput): Digest {
  const books = input.books.map(({ valuation, ...book }): BookDigest => {
    if (!valuation) return book;
    return {
      ...book,
      equity: cents(Money.parse(valuation.now.equity, 'equity')),
      cash: cents(Money.parse(valuation.cash, 'cash')),
      pnl: {
        day: pnlBetween(valuation.bases.day, valuation.now),
        month: pnlBetween(valuation.bases.month, valuation.now),
        year: pnlBetween(valuation.bases.year, valuation.now),
      },
    };
  });
  return {
    ...input,
    books,
    totals: {
      fills: books.reduce((n, b) => n + b.fills.length, 0),
      trades: books.reduce((n, b) => n + b.trades.length, 0),
      breaks: input.breaks.length,
    },
  };
}
