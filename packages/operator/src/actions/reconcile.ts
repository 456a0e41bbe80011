import { Quantity, type StrategyId, TradingDate } from '@books/core';
import type { ReconEntry } from '@books/ledger-client';
import { unexplainedShare } from '@books/portfolio';
import { reconcilerFunction } from '@books/reconciler';
import type { ReconcileSummary } from '@books/reconciliation';
import type { QueryContext } from '../queries/local-session';

/** One symbol of a stored reconciliation, with its unexplained quantity and each holder's part of it. */
export interface ReconciledSymbol {
  readonly entry: ReconEntry;
  /** The break's unexplained quantity; `0` for a symbol that matches. */
  readonly unexplained: string;
  readonly holders: readonly {
    readonly strategyId: StrategyId;
    readonly qty: Quantity;
    /** Its pro-rata part of the unexplained quantity, on a broken symbol only. */
    readonly share?: Quantity;
  }[];
}

export type StageReconciliation =
  | { readonly refused: string }
  | { readonly summary: ReconcileSummary; readonly symbols: readonly ReconciledSymbol[] };

/**
 * Runs the reconciler against the stage's broker account as of `date` (default: the last run day),
 * which stores `RECON#{date}`, and reads back every symbol it stored. Refused when the stage has no
 * run and no date says which day to reconcile.
 */
export async function reconcileStage(ctx: QueryContext, date?: TradingDate): Promise<StageReconciliation> {
  if (date === undefined && ctx.lastRunDate === undefined)
    return {
      refused:
        `stage ${ctx.stage} has no run yet (neither the ledger nor the local cursor names one): ` +
        'nothing to reconcile as of a run; give --date YYYY-MM-DD to reconcile a day explicitly',
    };
  const summary = await reconcilerFunction(ctx.services)(date ? { date } : {});
  const stored = await ctx.services.recon.latest(TradingDate(summary.date));
  const gaps = new Map(summary.breaks.map((b) => [b.symbol, b.unexplained]));
  const symbols = (stored?.entries ?? []).map((entry): ReconciledSymbol => {
    const gap = gaps.get(entry.symbol);
    const total = Quantity.sum(entry.byStrategy.map((b) => b.qty));
    return {
      entry,
      unexplained: gap ?? '0',
      holders: entry.byStrategy.map((b) =>
        gap === undefined || total.isZero()
          ? { strategyId: b.strategyId, qty: b.qty }
          : {
              strategyId: b.strategyId,
              qty: b.qty,
              share: unexplainedShare(Quantity.parse(gap), b.qty, total),
            },
      ),
    };
  });
  return { summary, symbols };
}
