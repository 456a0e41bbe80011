import { EXTERNAL, type StrategyId, Symbol, type TradingDate } from '@books/core';
import type { Services } from '@books/runtime';
import type { AccountRead, PendingActivity, ReconcileAccountPorts } from './ports';
import { reconcileAccount } from './reconcile-account';
import { reconciliationPorts } from './wiring';

/** Same shape as the coordinator's `ReconciliationBreak` port (a lambda package this one may not import). */
export interface SymbolBreak {
  readonly symbol: Symbol;
  readonly status: string;
  readonly unexplained: string;
  readonly holders: readonly StrategyId[];
}

/**
 * The coordinator's fail-closed check over the stage's services: runs a reconciliation (so the
 * result is stored as `RECON#{date}` and logged like any other reconciliation) and returns its
 * breaks with the strategies whose books hold each broken symbol, and what it read.
 */
export function ledgerReconciliationCheck(services: Services): ReconciliationBreaks {
  return reconciliationCheck(reconciliationPorts(services));
}

export interface ReconciliationBreaks {
  /**
   * `known.pendingActivities`: the pending activities as the caller just read them (its ingestion,
   * which wrote none), so that the check does not read them again.
   */
  breaks(
    date: TradingDate,
    known?: { readonly pendingActivities?: readonly PendingActivity[] },
  ): Promise<{ readonly breaks: readonly SymbolBreak[]; readonly read: AccountRead }>;
}

/** The fail-closed check over any reconciliation ports (`ledgerReconciliationCheck` wires the ledger's). */
export function reconciliationCheck(ports: ReconcileAccountPorts): ReconciliationBreaks {
  return {
    async breaks(date, known) {
      const { summary, stored, read } = await reconcileAccount(ports, {
        date,
        trigger: 'plan',
        ...(known?.pendingActivities ? { pendingActivities: known.pendingActivities } : {}),
      });
      if (summary.ok) return { breaks: [], read };
      const entries = new Map(stored.entries.map((e) => [e.symbol as string, e]));
      const breaks = summary.breaks.map((b) => {
        const entry = entries.get(b.symbol);
        return {
          symbol: entry?.symbol ?? Symbol(b.symbol),
          status: b.status,
          unexplained: b.unexplained,
          holders: (entry?.byStrategy ?? [])
            .filter((h) => h.strategyId !== EXTERNAL && !h.qty.isZero())
            .map((h) => h.strategyId),
        };
      });
      return { breaks, read };
    },
  };
}
