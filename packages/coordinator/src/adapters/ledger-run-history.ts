import { FINAL_STATES, type RunId, type TradingDate } from '@books/core';
import {
  ConditionFailedError,
  decodeStageLatestRun,
  encodeStageLatestRun,
  type LedgerTable,
  stageLatestRunCondition,
  stageLatestRunKey,
} from '@books/ledger-client';
import { LedgerRunCompletionStore, runCompletion } from '@books/reconciliation';
import type { RunHistory } from '../ports';
import type { LatestRun } from '../run-order';

const FINAL = new Set<string>(FINAL_STATES);

/**
 * The stage's latest run on the ledger: a cursor item naming it, moved only forward and only from
 * the value its mover read (compare-and-set), so of two dates planned at once one moves it and
 * the other reads again; and that run's completion, decided as execution decides it.
 */
export class LedgerRunHistory implements RunHistory {
  private readonly completion: LedgerRunCompletionStore;

  constructor(private readonly table: LedgerTable) {
    this.completion = new LedgerRunCompletionStore(table);
  }

  async latest(stage: string): Promise<Omit<LatestRun, 'closeAt'> | undefined> {
    const item = await this.table.getItem(stageLatestRunKey(stage));
    if (!item) return undefined;
    const { runId, tradingDate } = decodeStageLatestRun(item);
    const snapshot = await this.completion.snapshot(runId);
    // The cursor moved and the run is not recorded: its coordinator is still planning it (open
    // until its session closes), or stopped before the lock (then nothing of it can trade).
    if (!snapshot) return { runId, tradingDate, waitingFor: 'the run is not recorded yet', inFlight: [] };
    const done = runCompletion(snapshot);
    return {
      runId,
      tradingDate,
      ...(done.complete ? {} : { waitingFor: done.waitingFor }),
      inFlight: snapshot.intents
        .filter((i) => !FINAL.has(i.state))
        .map((i) => `${i.clientOrderId} ${i.state}`),
    };
  }

  async advance(
    stage: string,
    seen: TradingDate | undefined,
    run: { readonly runId: RunId; readonly tradingDate: TradingDate; readonly at: string },
  ): Promise<boolean> {
    if (seen === run.tradingDate) return true;
    try {
      await this.table.put(encodeStageLatestRun(stage, run), stageLatestRunCondition(seen));
      return true;
    } catch (e) {
      if (e instanceof ConditionFailedError) return false;
      throw e;
    }
  }
}
