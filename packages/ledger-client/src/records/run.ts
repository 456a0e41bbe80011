import {
  type ClientOrderId,
  type Flow,
  FlowSchema,
  lazySchema,
  type RunId,
  type StrategyId,
  type TradingDate,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';
import {
  type RunStatus,
  RunStatusSchema,
  type StrategyRunStatus,
  StrategyRunStatusSchema,
} from './run-status';

/** An upper-case state word (an intent's state: execution's intent-state table owns its lifecycle). */
export const StatusSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]{0,39}$/, 'an upper-case status such as PLANNED');

/** The run's META item: the run lock, its plan as JSON text, and its status. */
export interface RunMeta {
  readonly runId: RunId;
  readonly tradingDate: TradingDate;
  readonly trigger: string;
  readonly status: RunStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The coordinator's plan, as JSON text (its schema belongs to the coordinator). */
  readonly planJson?: string;
  /**
   * The close of the run's trading session as the broker's calendar gave it when the run was
   * planned (an instant): no order of the run is placed after it. Absent on runs planned before
   * it was recorded: the calendar is asked then.
   */
  readonly sessionCloseAt?: string;
}

/** One strategy's item within a run. */
export interface RunStrategy {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly flow: Flow;
  readonly status: StrategyRunStatus;
  /** SELLs enqueued and not yet done; BUYs are released when it reaches 0. */
  readonly pendingSells: number;
  /** Client order ids of the BUY intents held until the SELLs are done. */
  readonly heldBuys: readonly ClientOrderId[];
  readonly skipReason?: string;
  readonly error?: string;
  /** NOTHING_TO_DO because the book's rebalance schedule did not fall on the day: why (`isDue`). */
  readonly notDue?: string;
  readonly updatedAt: string;
}

const RunMetaSchema = lazySchema(() =>
  z
    .object({
      run_id: field.runId,
      trading_date: field.tradingDate,
      trigger: z.string(),
      status: RunStatusSchema,
      created_at: field.instant,
      updated_at: field.instant,
      plan_json: z.string().optional(),
      session_close_at: field.instant.optional(),
    })
    .transform(
      (r): RunMeta => ({
        runId: r.run_id,
        tradingDate: r.trading_date,
        trigger: r.trigger,
        status: r.status,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        ...(r.plan_json !== undefined ? { planJson: r.plan_json } : {}),
        ...(r.session_close_at !== undefined ? { sessionCloseAt: r.session_close_at } : {}),
      }),
    ),
);

const RunStrategySchema = lazySchema(() =>
  z
    .object({
      run_id: field.runId,
      strategy_id: field.strategyId,
      flow: FlowSchema,
      status: StrategyRunStatusSchema,
      pending_sells: field.count,
      held_buys: z.array(field.clientOrderId),
      skip_reason: z.string().optional(),
      error: z.string().optional(),
      not_due: z.string().optional(),
      updated_at: field.instant,
    })
    .transform(
      (r): RunStrategy => ({
        runId: r.run_id,
        strategyId: r.strategy_id,
        flow: r.flow,
        status: r.status,
        pendingSells: r.pending_sells,
        heldBuys: r.held_buys,
        ...(r.skip_reason !== undefined ? { skipReason: r.skip_reason } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
        ...(r.not_due !== undefined ? { notDue: r.not_due } : {}),
        updatedAt: r.updated_at,
      }),
    ),
);

export function encodeRunMeta(m: RunMeta): Item {
  RunStatusSchema.parse(m.status);
  return toItem({
    ...keys.runMeta(m.runId),
    entity: 'RUN',
    run_id: m.runId,
    trading_date: m.tradingDate,
    trigger: m.trigger,
    status: m.status,
    created_at: canonicalInstant(m.createdAt, 'createdAt'),
    updated_at: canonicalInstant(m.updatedAt, 'updatedAt'),
    plan_json: m.planJson,
    session_close_at:
      m.sessionCloseAt === undefined ? undefined : canonicalInstant(m.sessionCloseAt, 'sessionCloseAt'),
  });
}

export function encodeRunStrategy(s: RunStrategy): Item {
  StrategyRunStatusSchema.parse(s.status);
  return toItem({
    ...keys.runStrategy(s.runId, s.strategyId),
    entity: 'RUN_STRATEGY',
    run_id: s.runId,
    strategy_id: s.strategyId,
    flow: s.flow,
    status: s.status,
    pending_sells: s.pendingSells,
    held_buys: [...s.heldBuys],
    skip_reason: s.skipReason,
    error: s.error,
    not_due: s.notDue,
    updated_at: canonicalInstant(s.updatedAt, 'updatedAt'),
  });
}

export function decodeRunMeta(item: Item): RunMeta {
  return decodeItem(RunMetaSchema(), item, 'run');
}

export function decodeRunStrategy(item: Item): RunStrategy {
  return decodeItem(RunStrategySchema(), item, 'run strategy');
}
