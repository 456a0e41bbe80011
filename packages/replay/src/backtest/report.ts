import { StrategyId } from '@books/core';
import { collectReport, replayDayInputs } from '../report/collect';
import type { ReportData } from '../report/model';
import type { BacktestResult } from './engine';

/** The report of a backtest: the replay's HTML report over its recorded days and in-process ledger. */
export function backtestReportData(
  result: Pick<BacktestResult, 'days' | 'services' | 'summary' | 'stage'>,
  options: { readonly now: Date },
): Promise<ReportData> {
  const { summary } = result;
  return collectReport(result.services, {
    stage: result.stage,
    strategyIds: summary.strategies.map((s) => StrategyId(s.strategyId)),
    days: replayDayInputs(result.days),
    now: options.now,
    title: `Backtest ${summary.from} … ${summary.to}`,
    subtitle: `in process · ${summary.days} trading days · ${summary.reconciliation.matchDays}/${summary.reconciliation.days} days reconciled MATCH`,
    notes: [],
  });
}
