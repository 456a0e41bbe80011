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
  keys,
  type LedgerTable,
  type LegacyRepository,
  type LegacySignals,
  type RunRepository,
  toItem,
} from '@books/ledger-client';
import { quantitiesOf } from '@books/portfolio';
import { LedgerPlanRecorder, loadBook, readStoredPlan, type StoredPlan } from '@books/runtime';
import type { LegacyLedger } from '../ports';
import { type ShadowReport, ShadowReportSchema } from '../shadow-report';

const SHADOW_PREFIX = 'SHADOW#';

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
    await this.table.putIfAbsent(
      toItem({
        PK: keys.run(report.runId),
        SK: `${SHADOW_PREFIX}${report.strategyId}`,
        entity: 'RUN_SHADOW',
        report_json: JSON.stringify(report),
      }),
    );
  }
}

/** Every shadow comparison recorded for a run. */
export async function readShadowReports(table: LedgerTable, runId: string): Promise<ShadowReport[]> {
  const items = await table.queryAll({
    partition: keys.run(RunId(runId)),
    sort: { beginsWith: SHADOW_PREFIX },
  });
  return items.map((item) => {
    const json = item.report_json?.S ?? 'null';
    const parsed = ShadowReportSchema.safeParse(JSON.parse(json));
    if (!parsed.success)
      throw new Error(`shadow report ${item.SK?.S} of run ${runId}: ${parsed.error.message}`);
    return parsed.data;
  });
}
