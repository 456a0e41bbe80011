import {
  type Clock,
  LEGACY,
  type Quantity,
  RunId,
  type StrategyId,
  type Symbol,
  type TradingDate,
} from '@books/core';
import {
  type BookRepository,
  encodeRunStrategy,
  encodeShadowReport,
  keys,
  LedgerPlanRecorder,
  type LedgerTable,
  type LegacyRepository,
  type LegacySignals,
  loadBook,
  type RunRepository,
  readStoredPlan,
  SK_PREFIX,
  type StoredPlan,
  shadowReportJson,
} from '@books/ledger-client';
import { quantitiesOf } from '@books/portfolio';
import type { LegacyLedger } from '../ports';
import { type ShadowReport, ShadowReportSchema } from '../shadow-report';

/** The legacy flow's view of the ledger: the legacy book, the merged signals, its plan and shadows. */
export class LedgerLegacy implements LegacyLedger {
  private readonly plans: LedgerPlanRecorder;

  constructor(
    private readonly table: LedgerTable,
    private readonly books: BookRepository,
    runs: RunRepository,
    private readonly legacy: LegacyRepository,
    private readonly clock: Clock,
  ) {
    this.plans = new LedgerPlanRecorder(table, books, runs, clock);
  }

  async readLegacyBook() {
    const { book, exists } = await loadBook(this.books, LEGACY);
    return { book, exists };
  }

  async ownedPositions(strategyIds: readonly StrategyId[]) {
    const out = new Map<StrategyId, ReadonlyMap<Symbol, Quantity>>();
    for (const sid of strategyIds) out.set(sid, quantitiesOf((await loadBook(this.books, sid)).book));
    return out;
  }

  previousSignals(date: TradingDate): Promise<LegacySignals | undefined> {
    return this.legacy.latestSignals(date);
  }

  putSignals(signals: LegacySignals): Promise<LegacySignals> {
    return this.legacy.putSignals(signals);
  }

  readPlan(runId: RunId): Promise<StoredPlan | undefined> {
    return readStoredPlan(this.table, runId, LEGACY);
  }

  /** The run's LEGACY item is created PENDING (once), then moved with the plan like any strategy's. */
  async recordPlan(
    plan: StoredPlan,
    status: 'PLANNED' | 'NOTHING_TO_DO',
  ): Promise<'recorded' | 'already-recorded'> {
    await this.table.putIfAbsent(
      encodeRunStrategy({
        runId: plan.runId,
        strategyId: LEGACY,
        flow: 'legacy',
        status: 'PENDING',
        pendingSells: 0,
        heldBuys: [],
        updatedAt: this.clock.now().toISOString(),
      }),
    );
    return this.plans.record(plan, status, plan.capital.transfer);
  }

  async recordShadow(report: ShadowReport): Promise<void> {
    await this.table.putIfAbsent(encodeShadowReport(report.runId, report.strategyId, report));
  }
}

/** Every shadow comparison recorded for a run. */
export async function readShadowReports(table: LedgerTable, runId: string): Promise<ShadowReport[]> {
  const items = await table.queryAll({
    partition: keys.run(RunId(runId)),
    sort: { beginsWith: SK_PREFIX.shadow },
  });
  return items.map((item) => {
    const parsed = ShadowReportSchema.safeParse(shadowReportJson(item));
    if (!parsed.success)
      throw new Error(`shadow report ${item.SK?.S} of run ${runId}: ${parsed.error.message}`);
    return parsed.data;
  });
}
