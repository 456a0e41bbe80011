import {
  type CapitalPolicy,
  Decimal,
  Money,
  type RunId,
  type StrategyId,
  shareOf,
  Weight,
  weightOf,
} from '@books/core';
import { InvalidPlanInputError } from './errors';
import { compareText } from './lots';
import type { Transfer, TransferReason } from './transfers';

/**
 * Capital policy: which transfers a run makes between books and the unallocated pool.
 *
 * Contract:
 * - A strategy without a book is funded with allocation × account equity (reason `funding`).
 * - Existing books are compared within the total strategy equity T (Σ equity of existing books).
 *   A book's target share is its allocation normalised over the existing books' allocations
 *   (a / Σa), so that Σ targets = T and re-targeting only moves capital between books; with
 *   allocations summing to 1 this is exactly allocation × T.
 * - `drift`: a book is re-targeted to targetShare × T only when |share − targetShare| >
 *   threshold × targetShare (relative; exactly at the threshold holds). A book whose target share
 *   is 0 is re-targeted as soon as it has equity.
 * - `target`: every existing book is re-targeted every run.
 * - Amounts are truncated to the cent; moves under one cent are not made.
 * - Shrink rule: an outflow is capped at the book's cash (never below zero); the rest is
 *   `uncoveredExcess`, which the rebalance plan sells down because it is given `capital` =
 *   targetEquity. The freed cash leaves the book at the next run.
 * - When `unallocatedCash` is given, inflows are capped at that pool plus this run's outflows,
 *   scaled pro rata; the part not supplied is `unfundedShortfall`.
 * - Transfer ids are deterministic per (run, strategy): a retried run proposes the same transfer.
 */
export interface StrategyCapital {
  readonly strategyId: StrategyId;
  readonly allocation: Weight;
  /** Absent when the strategy has no book yet (its first run). */
  readonly book?: { readonly equity: Money; readonly cash: Money };
}

export interface CapitalPolicyInput {
  readonly strategies: readonly StrategyCapital[];
  readonly accountEquity: Money;
  readonly policy: CapitalPolicy;
  readonly unallocatedCash?: Money;
  readonly runId: RunId;
  /** Time stamped on the transfers (ISO instant). */
  readonly at: string;
}

export type CapitalAction = 'fund' | 'retarget' | 'hold';

export interface CapitalDecision {
  readonly strategyId: StrategyId;
  readonly action: CapitalAction;
  readonly allocation: Weight;
  /** Equity before the transfer (zero for a new book). */
  readonly equity: Money;
  /** Share of total strategy equity; null for a new book. */
  readonly share: Weight | null;
  /** The allocation normalised over existing books; null for a new book. */
  readonly targetShare: Weight | null;
  /** |share − targetShare| ÷ targetShare; null for a new book or a zero target share. */
  readonly deviation: Weight | null;
  readonly targetEquity: Money;
  readonly transfer: Transfer | null;
  /** Excess over target that the book's cash could not cover: to be sold down by the plan. */
  readonly uncoveredExcess: Money;
  /** Inflow the unallocated pool could not supply. */
  readonly unfundedShortfall: Money;
  /** What the rebalance plan should deploy: targetEquity when funded or re-targeted, else equity. */
  readonly capital: Money;
}

const CENT = Money.of('0.01');

function toCents(m: Money): Money {
  return m.truncate(2);
}

export function transferIdFor(runId: RunId, strategyId: StrategyId): string {
  return `capital:${runId}:${strategyId}`;
}

interface Draft {
  readonly base: Omit<CapitalDecision, 'transfer' | 'unfundedShortfall'>;
  readonly reason: TransferReason;
  /** Desired signed amount before pool capping. */
  readonly amount: Money;
}

export function planCapital(input: CapitalPolicyInput): readonly CapitalDecision[] {
  validate(input);
  const sorted = [...input.strategies].sort((a, b) => compareText(a.strategyId, b.strategyId));
  const existing = sorted.filter((s) => s.book !== undefined);
  const total = Money.sum(existing.map((s) => s.book?.equity ?? Money.ZERO));
  const allocTotal = Weight.sum(existing.map((s) => s.allocation));

  const drafts = sorted.map((s): Draft => {
    if (s.book === undefined) {
      const target = toCents(shareOf(s.allocation, input.accountEquity));
      return {
        reason: 'funding',
        amount: target,
        base: {
          strategyId: s.strategyId,
          action: 'fund',
          allocation: s.allocation,
          equity: Money.ZERO,
          share: null,
          targetShare: null,
          deviation: null,
          targetEquity: target,
          uncoveredExcess: Money.ZERO,
          capital: target,
        },
      };
    }
    const { equity, cash } = s.book;
    const targetShare = allocTotal.isZero() ? Weight.ZERO : Weight.of(s.allocation.ratioTo(allocTotal));
    const share = weightOf(equity, total);
    const deviation = targetShare.isZero()
      ? null
      : Weight.of(share.minus(targetShare).abs().ratioTo(targetShare));
    const hold: Draft['base'] = {
      strategyId: s.strategyId,
      action: 'hold',
      allocation: s.allocation,
      equity,
      share,
      targetShare,
      deviation,
      targetEquity: equity,
      uncoveredExcess: Money.ZERO,
      capital: equity,
    };
    const reason: TransferReason = input.policy.mode;
    if (!total.isPositive()) return { reason, amount: Money.ZERO, base: hold };
    const offTarget =
      input.policy.mode === 'target' ||
      (deviation === null ? equity.isPositive() : deviation.gt(input.policy.threshold));
    if (!offTarget) return { reason, amount: Money.ZERO, base: hold };

    const targetEquity = shareOf(targetShare, total);
    const wanted = toCents(targetEquity.minus(equity));
    const available = cash.isPositive() ? toCents(cash) : Money.ZERO;
    const amount = wanted.isNegative() ? wanted.max(available.negated()) : wanted;
    return {
      reason,
      amount,
      base: {
        ...hold,
        action: 'retarget',
        targetEquity,
        capital: targetEquity,
        uncoveredExcess: amount.minus(wanted),
      },
    };
  });

  const outflows = Money.sum(drafts.map((d) => (d.amount.isNegative() ? d.amount.negated() : Money.ZERO)));
  const inflows = Money.sum(drafts.map((d) => (d.amount.isPositive() ? d.amount : Money.ZERO)));
  const supply = input.unallocatedCash === undefined ? null : input.unallocatedCash.plus(outflows);
  const scale =
    supply === null || inflows.lte(supply)
      ? null
      : supply.isPositive()
        ? supply.ratioTo(inflows)
        : new Decimal(0);

  return drafts.map(({ base, reason, amount }) => {
    const granted = scale !== null && amount.isPositive() ? toCents(amount.times(scale)) : amount;
    const transfer: Transfer | null = granted.abs().lt(CENT)
      ? null
      : { id: transferIdFor(input.runId, base.strategyId), amount: granted, reason, at: input.at };
    const shortfall = amount.isPositive() ? amount.minus(granted) : Money.ZERO;
    return {
      ...base,
      transfer,
      unfundedShortfall: shortfall,
      // A book funded short of its target deploys only what it received.
      capital: shortfall.isPositive() ? base.capital.minus(shortfall) : base.capital,
    };
  });
}

function validate(input: CapitalPolicyInput): void {
  const negative = input.strategies.filter((s) => s.allocation.isNegative()).map((s) => s.strategyId);
  if (negative.length > 0)
    throw new InvalidPlanInputError(`negative allocation for ${negative.join(', ')}`, {
      strategies: negative,
    });
  const sum = Weight.sum(input.strategies.map((s) => s.allocation));
  if (sum.gt(Weight.ONE))
    throw new InvalidPlanInputError(`allocations sum to ${sum}, above 1`, { sum: sum.toString() });
  const ids = new Set(input.strategies.map((s) => s.strategyId));
  if (ids.size !== input.strategies.length) throw new InvalidPlanInputError('a strategy appears twice');
  if (input.accountEquity.isNegative())
    throw new InvalidPlanInputError(`account equity ${input.accountEquity} is negative`);
}
