import {
  BooksError,
  type ClientOrderId,
  type Money,
  type Quantity,
  type RunId,
  type Side,
  type StrategyId,
  type Symbol,
  type Weight,
} from '@books/core';
import type { StoredPlan } from '@books/ledger-client';
import type { StrategyExecutionRequested } from '@books/queue';

/**
 * The plan is the authority, the message only a pointer to it.
 *
 * Contract:
 * - A message is executed only when its client order id names a trade of its run's stored plan
 *   for its strategy: a SELL of the plan, a BUY of the plan sent with it (a plan without SELLs), or
 *   a BUY of the strategy's recorded release (a plan with SELLs). Nothing else reaches the broker.
 * - Every field of the message that the execution acts on must equal the plan's: symbol, side,
 *   leg, quantity, target value, the strategy's capital, allocation, file, plan time, and the
 *   legacy attribution of the symbol. Any difference is listed, and the message is poison.
 * - What is placed and recorded is the plan's trade (the intent is created from it), never the
 *   message's copy of it.
 */
export interface PlannedTradeRecord {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly clientOrderId: ClientOrderId;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly leg: number;
  readonly qty: Quantity;
  readonly targetValue: Money;
  /** Where the trade was found: the plan's SELLs or BUYs, or the BUY release. */
  readonly source: 'plan' | 'release';
  /** The plan's context, which every message of it repeats. */
  readonly plan: {
    readonly capital: Money;
    readonly allocation: Weight;
    readonly file: string;
    readonly plannedAt: string;
    /** The legacy book's shares of this symbol (empty for a per-strategy book). */
    readonly shares: Readonly<Record<string, Weight>>;
  };
  /**
   * The stored plan the trade was found in, when read from the ledger: handed on to the BUY
   * release of the same request, which then does not read it again (a plan never changes).
   */
  readonly stored?: StoredPlan;
}

/** A message for a trade no run planned (or a copy of one that differs from it): never placed, kept as poison. */
export class UnplannedTradeError extends BooksError {
  static override readonly errorName: string = 'UnplannedTradeError';
  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super('UNPLANNED_TRADE', message, { problems });
  }
}

/** Every way the message differs from the planned trade it points to (empty: it is that trade). */
export function differencesFromPlan(
  request: StrategyExecutionRequested,
  planned: PlannedTradeRecord,
): string[] {
  const out: string[] = [];
  const differ = (what: string, message: unknown, plan: unknown) => {
    if (String(message) !== String(plan)) out.push(`${what}: the message says ${message}, the plan ${plan}`);
  };
  differ('run', request.run_id, planned.runId);
  differ('strategy', request.strategy_id, planned.strategyId);
  differ('client order id', request.client_order_id, planned.clientOrderId);
  differ('symbol', request.trade.symbol, planned.symbol);
  differ('side', request.trade.direction, planned.side === 'buy' ? 'BUY' : 'SELL');
  differ('leg', request.leg, planned.leg);
  if (!request.trade.target_qty.eq(planned.qty))
    out.push(`quantity: the message says ${request.trade.target_qty}, the plan ${planned.qty}`);
  if (!request.trade.target_value.eq(planned.targetValue))
    out.push(`target value: the message says ${request.trade.target_value}, the plan ${planned.targetValue}`);
  if (!request.strategy_capital.eq(planned.plan.capital))
    out.push(
      `strategy capital: the message says ${request.strategy_capital}, the plan ${planned.plan.capital}`,
    );
  if (!request.allocation.eq(planned.plan.allocation))
    out.push(`allocation: the message says ${request.allocation}, the plan ${planned.plan.allocation}`);
  differ('strategy file', request.dsl_file, planned.plan.file);
  if (Date.parse(request.timestamp) !== Date.parse(planned.plan.plannedAt))
    out.push(`plan time: the message says ${request.timestamp}, the plan ${planned.plan.plannedAt}`);
  out.push(...attributionDifferences(request, planned.plan.shares));
  return out;
}

function attributionDifferences(
  request: StrategyExecutionRequested,
  shares: Readonly<Record<string, Weight>>,
): string[] {
  const given = request.strategy_weights ?? {};
  const names = [...(request.strategy_names ?? [])].sort();
  const expected = Object.keys(shares).sort();
  const out: string[] = [];
  const text = (r: Readonly<Record<string, Weight>>) =>
    Object.keys(r)
      .sort()
      .map((k) => `${k}=${r[k]}`)
      .join(',') || 'none';
  const same =
    Object.keys(given).length === expected.length &&
    expected.every((k) => {
      const a = given[k];
      const b = shares[k];
      return a !== undefined && b !== undefined && a.eq(b);
    });
  if (!same) out.push(`attribution: the message says ${text(given)}, the plan ${text(shares)}`);
  if (request.strategy_names !== undefined && names.join(',') !== expected.join(','))
    out.push(
      `strategy names: the message says ${names.join(',') || 'none'}, the plan ${expected.join(',') || 'none'}`,
    );
  return out;
}
