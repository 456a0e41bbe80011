import { type AccountHalt, runIdOf, type StrategyId } from '@books/core';
import type { ControlChange } from '@books/ledger-client';
import { configOf, type FlowRow, flowStatus, readStandings } from '@books/runtime';
import type { QueryContext } from '../queries/local-session';
import type { RunCompleteness } from '../queries/run-completeness';
import { loadRunCompleteness } from '../queries/run-query';

export interface BookControlState {
  readonly strategyId: StrategyId;
  /** The book's standing for the next run (active when no control names it). */
  readonly state: string;
  readonly why?: string;
}

export interface StageStatus {
  readonly halt?: AccountHalt;
  readonly books: readonly BookControlState[];
  /** The last ten control changes, newest first. */
  readonly changes: readonly ControlChange[];
  /** The completeness of the stage's last run, when it has run. */
  readonly lastRun?: RunCompleteness;
}

/** `books status`: the controls in force (halt, each configured book's standing), recent changes, the last run. */
export async function stageStatus(ctx: QueryContext): Promise<StageStatus> {
  const { services } = ctx;
  const config = configOf(services);
  const standings = await readStandings(
    services.controls,
    services.controlLedger,
    config.strategies.map((s) => s.id),
  );
  const changes = await services.controlLedger.changes(10);
  const run = ctx.lastRunDate
    ? await loadRunCompleteness(services, runIdOf(ctx.stage, ctx.lastRunDate), ctx.now)
    : undefined;
  const books = config.strategies.map((s) => {
    const standing = standings.books.get(s.id) ?? { kind: 'active' as const };
    return { strategyId: s.id, state: standing.kind, ...('why' in standing ? { why: standing.why } : {}) };
  });
  return {
    ...(standings.halt ? { halt: standings.halt } : {}),
    books,
    changes,
    ...(run ? { lastRun: run } : {}),
  };
}

export interface StageFlowRow extends FlowRow {
  /** The book's control standing (active when no control names it). */
  readonly control: string;
}

export interface StageFlows {
  readonly halt?: AccountHalt;
  readonly strategies: readonly StageFlowRow[];
}

/** `books flows`: every strategy's flow and where it came from, with its control standing. */
export async function stageFlows(ctx: QueryContext): Promise<StageFlows> {
  const rows = await flowStatus(ctx.services, configOf(ctx.services));
  const standings = await readStandings(
    ctx.services.controls,
    ctx.services.controlLedger,
    rows.map((r) => r.strategyId),
  );
  return {
    ...(standings.halt ? { halt: standings.halt } : {}),
    strategies: rows.map((r) => ({ ...r, control: standings.books.get(r.strategyId)?.kind ?? 'active' })),
  };
}
