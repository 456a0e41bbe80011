import { BooksError } from '@books/core';
import * as z from 'zod';

/**
 * The lifecycles of a run (its META item) and of each strategy within it, each as one transition
 * table. Every status write is conditional on the `from` status (RunRepository), and only a pair
 * of this table may be written.
 *
 * Run:
 *   PLANNED ──the coordinator's finish (every worker returned)──▶ DISPATCHED
 *
 * Strategy of a run (created PENDING, or SKIPPED when the plan of the run leaves it out):
 *   PENDING ──▶ PLANNED          a per-strategy (or the LEGACY) plan with trades, recorded
 *      │   ──▶ NOTHING_TO_DO    a plan with no trade
 *      │   ──▶ SIGNALLED        a legacy/shadow strategy handed its signal to the merged flow
 *      └───▶ FAILED             the worker (or the coordinator, for a worker that never answered)
 *   SKIPPED
 *
 * Every status but PENDING is final for the strategy item. Whether a PLANNED strategy's trades
 * have all executed is read from its intents, never stored as a status.
 */
export const RUN_STATUSES = ['PLANNED', 'DISPATCHED'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.output<typeof RunStatusSchema>;

export const STRATEGY_RUN_STATUSES = [
  'PENDING',
  'SKIPPED',
  'PLANNED',
  'NOTHING_TO_DO',
  'SIGNALLED',
  'FAILED',
] as const;
export const StrategyRunStatusSchema = z.enum(STRATEGY_RUN_STATUSES);
export type StrategyRunStatus = z.output<typeof StrategyRunStatusSchema>;

/** The status a run is created with. */
export const INITIAL_RUN_STATUS = 'PLANNED' satisfies RunStatus;
/** The statuses a run's strategy item may be created with. */
export const INITIAL_STRATEGY_RUN_STATUSES: readonly StrategyRunStatus[] = ['PENDING', 'SKIPPED'];

const RUN_TRANSITIONS: Readonly<Record<RunStatus, readonly RunStatus[]>> = {
  PLANNED: ['DISPATCHED'],
  DISPATCHED: [],
};

const STRATEGY_RUN_TRANSITIONS: Readonly<Record<StrategyRunStatus, readonly StrategyRunStatus[]>> = {
  PENDING: ['PLANNED', 'NOTHING_TO_DO', 'SIGNALLED', 'FAILED'],
  SKIPPED: [],
  PLANNED: [],
  NOTHING_TO_DO: [],
  SIGNALLED: [],
  FAILED: [],
};

/** A status write that the lifecycle does not allow (a bug in the writer, never a race). */
export class InvalidStatusTransitionError extends BooksError {
  static override readonly errorName: string = 'InvalidStatusTransitionError';
  constructor(
    readonly what: 'run' | 'run strategy',
    readonly from: string,
    readonly to: string,
  ) {
    super('INVALID_STATUS_TRANSITION', `a ${what} cannot go from ${from} to ${to}`, { what, from, to });
  }
}

export function canTransitionRun(from: RunStatus, to: RunStatus): boolean {
  return RUN_TRANSITIONS[from].includes(to);
}

export function canTransitionStrategyRun(from: StrategyRunStatus, to: StrategyRunStatus): boolean {
  return STRATEGY_RUN_TRANSITIONS[from].includes(to);
}

export function assertRunTransition(from: RunStatus, to: RunStatus): void {
  if (!canTransitionRun(from, to)) throw new InvalidStatusTransitionError('run', from, to);
}

export function assertStrategyRunTransition(from: StrategyRunStatus, to: StrategyRunStatus): void {
  if (!canTransitionStrategyRun(from, to)) throw new InvalidStatusTransitionError('run strategy', from, to);
}

/** A strategy item is created PENDING or SKIPPED; any other status is reached by a transition. */
export function assertInitialStrategyRunStatus(status: StrategyRunStatus): void {
  if (!INITIAL_STRATEGY_RUN_STATUSES.includes(status))
    throw new InvalidStatusTransitionError('run strategy', '(none)', status);
}
