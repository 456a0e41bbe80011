import type { TradingDate } from '@books/core';
import { decodeStageLatestRun, type LedgerTable, stageLatestRunKey } from '@books/ledger-client';

/**
 * The trading date of the stage's latest run as the ledger knows it: the cursor the coordinator
 * moves when it plans a run (`STAGE#{stage}` / `LATEST_RUN`), so a run that crashed before the
 * local cursor file was written is still found. Undefined when the stage never planned a run.
 */
export async function ledgerLatestRunDate(
  table: LedgerTable,
  stage: string,
): Promise<TradingDate | undefined> {
  const item = await table.getItem(stageLatestRunKey(stage), { consistent: true });
  return item && decodeStageLatestRun(item).tradingDate;
}

/** The later of two known run dates (either may be unknown). */
export function laterRunDate(
  a: TradingDate | undefined,
  b: TradingDate | undefined,
): TradingDate | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
