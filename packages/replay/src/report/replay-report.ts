import { StrategyId } from '@books/core';
import type { ReplayResult } from '../replay/engine';
import { collectReport, replayDayInputs } from './collect';
import type { ReportData } from './model';

/** The report of a replay: its recorded days (equities, reconciliation) and its stage's ledger. */
export function replayReportData(
  result: Pick<ReplayResult, 'days' | 'services' | 'summary' | 'complete' | 'totalDays'>,
  options: { readonly stage: string; readonly now: Date },
): Promise<ReportData> {
  const { summary } = result;
  const notes = result.complete
    ? []
    : [`incomplete: ${summary.days} of ${result.totalDays} trading days replayed so far`];
  return collectReport(result.services, {
    stage: options.stage,
    strategyIds: summary.strategies.map((s) => StrategyId(s.strategyId)),
    days: replayDayInputs(result.days),
    now: options.now,
    title: `Replay ${summary.from} … ${summary.to}`,
    subtitle: `stage ${options.stage} · ${summary.days} trading days · ${summary.reconciliation.matchDays}/${summary.reconciliation.days} days reconciled MATCH`,
    notes,
  });
}
