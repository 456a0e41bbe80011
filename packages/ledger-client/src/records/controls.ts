import {
  CONTROL_ACTIONS,
  type ControlAction,
  InstantSchema,
  lazySchema,
  type Money,
  RunIdSchema,
  type StrategyId,
  StrategyIdSchema,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';
import { field } from '../fields';
import { keys } from '../keys';
import { decodeItem } from './decode';

/** Who a change is about: the account, or one book. */
export const ACCOUNT_TARGET = 'ACCOUNT';

/**
 * One change of a trader control (`CONTROLS` / `CHANGE#{at}#{id}`): an operator's (pause, resume,
 * liquidate, halt, resume-account) or the system's (liquidated, drawdown-stop), with who, when and
 * why. Written once per id (a retried command or a redelivered run records nothing twice).
 */
export interface ControlChange {
  readonly id: string;
  /** `ACCOUNT` or a strategy id. */
  readonly target: StrategyId | typeof ACCOUNT_TARGET;
  readonly action: ControlAction;
  readonly by: string;
  readonly at: string;
  readonly reason: string;
  /** The run that made a system change. */
  readonly runId?: string;
}

const ChangeSchema = lazySchema(() =>
  z.object({
    change_id: z.string().min(1),
    target: z.union([z.literal(ACCOUNT_TARGET), StrategyIdSchema]),
    action: z.enum(CONTROL_ACTIONS),
    by: z.string().min(1),
    at: InstantSchema,
    reason: z.string(),
    run_id: RunIdSchema.optional(),
  }),
);

export function encodeControlChange(change: ControlChange): Item {
  return toItem({
    ...keys.controlChange(change.at, change.id),
    entity: 'CONTROL_CHANGE',
    change_id: change.id,
    target: change.target,
    action: change.action,
    by: change.by,
    at: change.at,
    reason: change.reason,
    run_id: change.runId,
  });
}

export function decodeControlChange(item: Item): ControlChange {
  const r = decodeItem(ChangeSchema(), item, 'control change');
  return {
    id: r.change_id,
    target: r.target,
    action: r.action,
    by: r.by,
    at: r.at,
    reason: r.reason,
    ...(r.run_id ? { runId: r.run_id } : {}),
  };
}

/**
 * A book's drawdown state (`STRATEGY#{sid}#CONTROL` / `DRAWDOWN`): its high-water mark and, once
 * the stop has latched, the latch. Only `books resume S` clears a latch (deleting the item: the
 * next run starts a new mark from the book's equity then).
 */
export interface DrawdownState {
  readonly strategyId: StrategyId;
  readonly highWaterMark: Money;
  readonly markedAt: string;
  /** The run that wrote the mark, and the mark before it: a retry of that run starts again from it. */
  readonly markedBy: string;
  readonly markBefore?: Money;
  /** Optimistic concurrency of the mark's updates. */
  readonly version: number;
  readonly latched?: {
    readonly at: string;
    readonly runId: string;
    readonly equity: Money;
    readonly highWaterMark: Money;
    readonly action: 'liquidate' | 'pause';
  };
}

const DrawdownSchema = lazySchema(() =>
  z.object({
    strategy_id: StrategyIdSchema,
    high_water_mark: field.money,
    marked_at: InstantSchema,
    marked_by: z.string().min(1),
    mark_before: field.money.optional(),
    version: field.count,
    latched: z
      .object({
        at: InstantSchema,
        run_id: z.string().min(1),
        equity: field.money,
        high_water_mark: field.money,
        action: z.enum(['liquidate', 'pause']),
      })
      .optional(),
  }),
);

export function encodeDrawdown(state: DrawdownState): Item {
  return toItem({
    ...keys.drawdown(state.strategyId),
    entity: 'DRAWDOWN',
    strategy_id: state.strategyId,
    high_water_mark: state.highWaterMark.toString(),
    marked_at: state.markedAt,
    marked_by: state.markedBy,
    mark_before: state.markBefore?.toString(),
    version: state.version,
    latched: state.latched && {
      at: state.latched.at,
      run_id: state.latched.runId,
      equity: state.latched.equity.toString(),
      high_water_mark: state.latched.highWaterMark.toString(),
      action: state.latched.action,
    },
  });
}

export function decodeDrawdown(item: Item): DrawdownState {
  const r = decodeItem(DrawdownSchema(), item, 'drawdown');
  return {
    strategyId: r.strategy_id,
    highWaterMark: r.high_water_mark,
    markedAt: r.marked_at,
    markedBy: r.marked_by,
    ...(r.mark_before ? { markBefore: r.mark_before } : {}),
    version: r.version,
    ...(r.latched
      ? {
          latched: {
            at: r.latched.at,
            runId: r.latched.run_id,
            equity: r.latched.equity,
            highWaterMark: r.latched.high_water_mark,
            action: r.latched.action,
          },
        }
      : {}),
  };
}

/** The marker of a liquidation done (`STRATEGY#{sid}#CONTROL` / `LIQUIDATED#{requestId}`). */
export function encodeLiquidation(l: {
  readonly strategyId: StrategyId;
  readonly requestId: string;
  readonly runId: string;
  readonly at: string;
}): Item {
  return toItem({
    ...keys.liquidation(l.strategyId, l.requestId),
    entity: 'LIQUIDATION',
    strategy_id: l.strategyId,
    request_id: l.requestId,
    run_id: l.runId,
    at: l.at,
  });
}

export function liquidationRunOf(item: Item): string {
  const run = item.run_id?.S;
  if (!run)
    throw new CorruptItemError(`liquidation ${item.PK?.S ?? '?'} / ${item.SK?.S ?? '?'}: no run_id`, {});
  return run;
}
