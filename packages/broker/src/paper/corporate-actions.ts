import { Decimal, Money, type Price, Quantity, type TradingDate } from '@books/core';
import type { PaperAccountState } from './records';

/**
 * The corporate actions and account cash events the simulated broker applies: the shape of the
 * market-data package's `corporate-actions.json` (structurally; the broker does not depend on the
 * bar store). Decimals as strings, dates YYYY-MM-DD.
 */
export interface PaperCorporateActions {
  readonly dividends: readonly {
    readonly symbol: string;
    readonly exDate: string;
    readonly recordDate: string;
    readonly payDate: string;
    readonly amountPerShare: string;
  }[];
  readonly splits: readonly {
    readonly symbol: string;
    readonly exDate: string;
    readonly from: string;
    readonly to: string;
  }[];
  readonly cash: readonly {
    readonly date: string;
    readonly type: 'deposit' | 'withdrawal';
    readonly amount: string;
  }[];
}

/** A row of the simulated account's activities, in Alpaca's NonTradeActivities shape. */
export type PaperActivityRow = Readonly<Record<string, string>> & {
  readonly id: string;
  readonly activity_type: string;
  readonly date: string;
};

/**
 * What the account has done with its corporate actions, stored with the account (one item, one
 * version), so each action is applied exactly once: `handled` keys of actions applied (and of
 * dividends whose entitlement was fixed at the ex date), `entitlements` the shares each dividend
 * pays on (fixed at its ex date), `rows` the activities as listed.
 */
export interface PaperCorporateState {
  readonly handled: readonly string[];
  readonly entitlements: Readonly<Record<string, string>>;
  readonly rows: readonly PaperActivityRow[];
}

export const EMPTY_CORPORATE_STATE: PaperCorporateState = { handled: [], entitlements: {}, rows: [] };

type Step =
  | {
      readonly date: string;
      readonly order: 0;
      readonly kind: 'cash';
      readonly c: PaperCorporateActions['cash'][number];
    }
  | {
      readonly date: string;
      readonly order: 1;
      readonly kind: 'split';
      readonly s: PaperCorporateActions['splits'][number];
    }
  | {
      readonly date: string;
      readonly order: 2;
      readonly kind: 'ex';
      readonly d: PaperCorporateActions['dividends'][number];
    }
  | {
      readonly date: string;
      readonly order: 3;
      readonly kind: 'pay';
      readonly d: PaperCorporateActions['dividends'][number];
    };

export interface AppliedActions {
  readonly account: PaperAccountState;
  readonly rows: readonly PaperActivityRow[];
}

/**
 * Applies every action dated on or before `through` that the account has not applied yet, in
 * date order (pure). On its ex date a split multiplies the position by `to / from` with its cost
 * unchanged, as Alpaca does since August 2021: it issues the fractional share a split leaves,
 * whole holding or not, and pays no cash in lieu ("Updated Terms for Payments in Fractional
 * Shares", alpaca.markets blog). Only a remainder finer than a quantity's precision is paid, at
 * `priceOn(symbol)` (the ex date's raw close), to the cent; a dividend fixes the shares it pays on
 * at its ex date and pays them (to the cent, half-even) on its pay date; a deposit or withdrawal
 * moves cash on its date. Each new activity is one row in Alpaca's shape. Called every simulated
 * day before its trades, a dividend's shares are those held at the ex date's open; a day skipped
 * fixes them at the next call.
 */
export function applyCorporateActions(
  account: PaperAccountState,
  actions: PaperCorporateActions,
  through: TradingDate,
  priceOn: (symbol: string) => Price | undefined,
  createdAt: Date,
): AppliedActions {
  const corporate = account.corporate ?? EMPTY_CORPORATE_STATE;
  const handled = new Set(corporate.handled);
  const entitlements: Record<string, string> = { ...corporate.entitlements };
  const positions = { ...account.positions };
  let cash = Money.parse(account.cash);
  const rows: PaperActivityRow[] = [];
  const steps: Step[] = [
    ...actions.cash.map((c) => ({ date: c.date, order: 0 as const, kind: 'cash' as const, c })),
    ...actions.splits.map((s) => ({ date: s.exDate, order: 1 as const, kind: 'split' as const, s })),
    ...actions.dividends.map((d) => ({ date: d.exDate, order: 2 as const, kind: 'ex' as const, d })),
    ...actions.dividends.map((d) => ({ date: d.payDate, order: 3 as const, kind: 'pay' as const, d })),
  ]
    .filter((s) => s.date <= through)
    .sort((a, b) => a.date.localeCompare(b.date) || a.order - b.order);

  const row = (key: string, date: string, fields: Record<string, string>): PaperActivityRow => ({
    id: `${date.replace(/-/g, '')}000000000::${key}`,
    date,
    created_at: createdAt.toISOString(),
    status: 'executed',
    currency: 'USD',
    activity_type: fields.activity_type ?? '',
    ...fields,
  });

  for (const step of steps) {
    if (step.kind === 'cash') {
      const key = `CASH-${step.c.type}-${step.c.date}-${step.c.amount}`;
      if (handled.has(key)) continue;
      handled.add(key);
      const amount = Money.parse(step.c.amount);
      const signed = step.c.type === 'deposit' ? amount : amount.negated();
      cash = cash.plus(signed);
      rows.push(
        row(key, step.c.date, {
          activity_type: step.c.type === 'deposit' ? 'CSD' : 'CSW',
          net_amount: signed.toString(),
        }),
      );
    } else if (step.kind === 'split') {
      const s = step.s;
      const key = `SPLIT-${s.symbol}-${s.exDate}`;
      if (handled.has(key)) continue;
      handled.add(key);
      const pos = positions[s.symbol];
      if (!pos) continue;
      const held = Quantity.parse(pos.qty);
      const exact = held.times(new Decimal(s.to).dividedBy(s.from));
      const kept = exact.truncate(Quantity.MAX_DECIMALS);
      const fraction = exact.minus(kept);
      let inLieu = Money.ZERO;
      let cost = Money.parse(pos.cost);
      if (fraction.isPositive()) {
        const price = priceOn(s.symbol);
        if (!price) throw new Error(`no ${s.symbol} price on ${s.exDate} for the cash in lieu of its split`);
        inLieu = Money.of(fraction.value.times(price.value)).toCents();
        cost = cost.times(kept.ratioTo(exact));
      }
      cash = cash.plus(inLieu);
      if (kept.isZero()) delete positions[s.symbol];
      else positions[s.symbol] = { qty: kept.toString(), cost: cost.toString() };
      const forward = new Decimal(s.to).gt(s.from);
      rows.push(
        row(key, s.exDate, {
          activity_type: 'SPLIT',
          activity_sub_type: forward ? 'FSPLIT' : 'RSPLIT',
          symbol: s.symbol,
          qty: kept.minus(held).toString(),
          net_amount: inLieu.toString(),
          description: `${s.to}:${s.from} ${forward ? 'forward' : 'reverse'} split`,
        }),
      );
    } else if (step.kind === 'ex') {
      const key = `DIV-${step.d.symbol}-${step.d.exDate}`;
      if (handled.has(`${key}-ex`)) continue;
      handled.add(`${key}-ex`);
      // Holders at the ex date's open: this runs before the ex date's trades (see the runner).
      entitlements[key] = positions[step.d.symbol]?.qty ?? '0';
    } else {
      const d = step.d;
      const key = `DIV-${d.symbol}-${d.exDate}`;
      if (handled.has(key)) continue;
      handled.add(key);
      const qty = Quantity.parse(entitlements[key] ?? '0');
      delete entitlements[key];
      if (!qty.isPositive()) continue;
      const amount = Money.of(qty.value.times(d.amountPerShare)).toCents();
      cash = cash.plus(amount);
      rows.push(
        row(key, d.payDate, {
          activity_type: 'DIV',
          activity_sub_type: 'CDIV',
          symbol: d.symbol,
          qty: qty.toString(),
          per_share_amount: d.amountPerShare,
          net_amount: amount.toString(),
          description: `Cash DIV @ ${d.amountPerShare}, Pos QTY: ${qty}, Ex Date: ${d.exDate}, Rec Date: ${d.recordDate}`,
        }),
      );
    }
  }
  if (rows.length === 0 && handled.size === corporate.handled.length) return { account, rows };
  return {
    account: {
      ...account,
      cash: cash.toString(),
      positions,
      corporate: { handled: [...handled], entitlements, rows: [...corporate.rows, ...rows] },
    },
    rows,
  };
}
