import {
  FlowSchema,
  MoneySchema,
  RunId,
  RunIdSchema,
  runIdOf,
  StrategyIdSchema,
  type TradingDate,
  TradingDateSchema,
} from '@books/core';
import {
  encodeRunSkip,
  type LedgerTable,
  RunAlreadyExistsError,
  type RunRepository,
  type RunStrategy,
  StatusConflictError,
} from '@books/ledger-client';
import * as z from 'zod';
import type { DispatchOutcome, RunRecord, RunStore } from '../ports';

/** The coordinator's record of a run, kept as the META item's plan_json. */
const RunRecordSchema = z.object({
  runId: RunIdSchema,
  stage: z.string(),
  tradingDate: TradingDateSchema,
  executionId: z.string(),
  plannedAt: z.string(),
  sessionCloseAt: z.string().optional(),
  equity: MoneySchema,
  cash: MoneySchema,
  strategies: z.array(
    z.object({
      strategyId: StrategyIdSchema,
      file: z.string(),
      allocation: z.string(),
      flow: FlowSchema,
      status: z.enum(['PENDING', 'SKIPPED']),
      note: z.string().optional(),
    }),
  ),
  warnings: z.array(z.string()),
});

export function decodeRunRecord(planJson: string): RunRecord {
  return RunRecordSchema.parse(JSON.parse(planJson));
}

/** The run's strategy items as first written: every strategy PENDING or SKIPPED. */
function runStrategiesOf(record: RunRecord): RunStrategy[] {
  return record.strategies.map((s) => ({
    runId: record.runId,
    strategyId: s.strategyId,
    flow: FlowSchema.parse(s.flow),
    status: s.status,
    pendingSells: 0,
    heldBuys: [],
    ...(s.note ? { skipReason: s.note } : {}),
    updatedAt: record.plannedAt,
  }));
}

/** Runs on the ledger: the META item is the lock (one run per stage and trading date). */
export class LedgerRunStore implements RunStore {
  constructor(
    private readonly table: LedgerTable,
    private readonly runs: RunRepository,
  ) {}

  /**
   * `created` for the trigger that takes the lock. A retry of that same execution (say after a
   * crash between the strategy chunks) gets `exists` and first completes the strategy items its
   * first attempt did not write; another execution gets `exists` and writes nothing.
   */
  async createRun(record: RunRecord): Promise<{ result: 'created' | 'exists'; record: RunRecord }> {
    try {
      await this.runs.createRun(
        {
          runId: record.runId,
          tradingDate: record.tradingDate,
          trigger: record.executionId,
          status: 'PLANNED',
          createdAt: record.plannedAt,
          updatedAt: record.plannedAt,
          planJson: JSON.stringify(record),
          ...(record.sessionCloseAt ? { sessionCloseAt: record.sessionCloseAt } : {}),
        },
        runStrategiesOf(record),
      );
      return { result: 'created', record };
    } catch (e) {
      if (!(e instanceof RunAlreadyExistsError)) throw e;
      const meta = await this.runs.getMeta(record.runId);
      if (!meta?.planJson) throw e;
      const stored = decodeRunRecord(meta.planJson);
      if (stored.executionId === record.executionId)
        await this.runs.addMissingStrategies(stored.runId, runStrategiesOf(stored));
      return { result: 'exists', record: stored };
    }
  }

  async recordSkip(stage: string, date: TradingDate, reason: string, at: string): Promise<void> {
    await this.table.putIfAbsent(encodeRunSkip(runIdOf(stage, date), at, reason));
  }

  async finishRun(runId: RunId, outcomes: readonly DispatchOutcome[], at: string): Promise<void> {
    for (const o of outcomes.filter((x) => x.outcome === 'FAILED')) {
      try {
        await this.runs.transitionStrategy(runId, StrategyIdSchema.parse(o.strategyId), {
          from: 'PENDING',
          to: 'FAILED',
          at,
          patch: { error: (o.reason ?? 'the strategy worker failed').slice(0, 2000) },
        });
      } catch (e) {
        // The worker recorded its own failure (or plan) first: its record stands.
        if (!(e instanceof StatusConflictError)) throw e;
      }
    }
    try {
      await this.runs.transitionRun(RunId(runId), { from: 'PLANNED', to: 'DISPATCHED', at });
    } catch (e) {
      // Already finished, or never recorded: a dry run plans without taking the run lock.
      if (!(e instanceof StatusConflictError && (e.actual === 'DISPATCHED' || e.actual === undefined)))
        throw e;
    }
  }
}
