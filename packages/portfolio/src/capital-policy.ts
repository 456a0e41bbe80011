import {
  type CapitalPolicy,
  Money,
  type RunId,
  type StrategyId,
  shareOf,
  type Weight,
  weightOf,
} from '@books/core';
import type { Transfer, TransferReason } from './transfers';

/** The id of a run's capital transfer of one book: a retried run proposes the same transfer. */
export function transferIdFor(runId: RunId, strategyId: StrategyId): string {
  return `capital:${runId}:${strategyId}`;
}

/**
 * The capital policy: the capital decision of ONE book, made without looking at any other book
 * (the per-strategy workers and the legacy planner use it alike).
 *
 * Contract: a book's target equity is allocation × the run's account-equity snapshot (the same
 * snapshot for every worker of the run), so Σ targets ≤ the account and the remainder is the
 * unallocated pool. Its share is equity ÷ snapshot.
 * - No book yet: funded with the target (`funding`).
 * - `drift`: re-targeted only when |share − allocation| > threshold × allocation (relative; exactly
 *   at the threshold holds). A book with allocation 0 is re-targeted (wound down) as soon as it
 *   holds equity.
 * - `target`: re-targeted every run.
 * Transfers move whole cents; an outflow is capped at the book's cash (a transfer never makes cash
 * negative): the rest of the excess is sold down by the plan, whose capital is the target, and
 * leaves the book as cash at the next run. The transfer id is a function of (run, strategy), so a
 * retried worker proposes the same transfer and the ledger's conditional write keeps one.
 * A transfer into the book is paid from the pool: never more than `topUpLimit` (the grant the
 * coordinator gave this book in the run's snapshot, see `grantTopUps`); when it caps the top-up,
 * the plan deploys the equity plus what was granted, not the target.
 */
export interface BookCapitalInput {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly allocation: Weight;
  readonly accountEquity: Money;
  readonly policy: CapitalPolicy;
  /** Absent on the strategy's first run. */
  readonly book?: { readonly equity: Money; readonly cash: Money };
  readonly at: string;
  /** At most this much is paid into the book from the pool this run; no cap when absent. */
  readonly topUpLimit?: Money;
}

export interface BookCapitalDecision {
  readonly action: 'fund' | 'retarget' | 'hold';
  readonly equity: Money;
  readonly targetEquity: Money;
  /** equity ÷ snapshot; null on the first run. */
  readonly share: Weight | null;
  readonly transfer: Transfer | null;
  /** What the rebalance plan deploys: the target when funded or re-targeted, else the equity. */
  readonly capital: Money;
  readonly explanation: string;
}

export function planBookCapital(input: BookCapitalInput): BookCapitalDecision {
  const target = shareOf(input.allocation, input.accountEquity).truncate(2);
  const transfer = (amount: Money, reason: TransferReason): Transfer | null =>
    amount.truncate(2).isZero()
      ? null
      : {
          id: transferIdFor(input.runId, input.strategyId),
          amount: amount.truncate(2),
          reason,
          at: input.at,
        };

  const limit = input.topUpLimit?.max(Money.ZERO).truncate(2);
  const capped = (amount: Money): Money => (limit !== undefined && amount.gt(limit) ? limit : amount);
  const cappedNote = (amount: Money, wanted: Money): string =>
    amount.lt(wanted) ? ` (${wanted.truncate(2)} wanted; the pool granted ${amount})` : '';
  if (input.book === undefined) {
    const funding = capped(target);
    return {
      action: 'fund',
      equity: Money.ZERO,
      targetEquity: target,
      share: null,
      transfer: transfer(funding, 'funding'),
      capital: funding,
      explanation: `first run: funded with ${input.allocation} × ${input.accountEquity} = ${target}${cappedNote(funding, target)}`,
    };
  }
  const { equity, cash } = input.book;
  const share = weightOf(equity, input.accountEquity);
  const retarget = (reason: TransferReason, why: string): BookCapitalDecision => {
    const wanted = target.minus(equity);
    const amount = wanted.isNegative() ? wanted.max(cash.negated()) : capped(wanted);
    const paid = transfer(amount, reason);
    return {
      action: 'retarget',
      equity,
      targetEquity: target,
      share,
      transfer: amount.isNegative() && cash.lte(Money.ZERO) ? null : paid,
      capital: wanted.isNegative() || amount.eq(wanted) ? target : equity.plus(paid?.amount ?? Money.ZERO),
      explanation: `${why}: re-targeted from ${equity.toCents()} to ${target}${wanted.isPositive() ? cappedNote(amount, wanted) : ''}`,
    };
  };
  if (input.policy.mode === 'target') return retarget('target', 'target policy');
  if (input.allocation.isZero()) {
    return equity.isZero()
      ? hold(equity, target, share, 'allocation 0 and no equity')
      : retarget('drift', 'allocation 0');
  }
  const deviation = share.minus(input.allocation).abs().ratioTo(input.allocation);
  const pct = (d: { toNumber(): number } | number) =>
    `${((typeof d === 'number' ? d : d.toNumber()) * 100).toFixed(2)}%`;
  if (deviation.gt(input.policy.threshold.value)) {
    return retarget(
      'drift',
      `share ${pct(share)} is ${pct(deviation.toNumber())} off its allocation ${pct(input.allocation)} (threshold ${pct(input.policy.threshold)})`,
    );
  }
  return hold(
    equity,
    target,
    share,
    `share ${pct(share)} within ${pct(input.policy.threshold)} of ${pct(input.allocation)}`,
  );
}

function hold(equity: Money, target: Money, share: Weight, why: string): BookCapitalDecision {
  return {
    action: 'hold',
    equity,
    targetEquity: target,
    share,
    transfer: null,
    capital: equity,
    explanation: why,
  };
}
