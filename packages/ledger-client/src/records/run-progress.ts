import { lazySchema } from '@books/core';
import * as z from 'zod';
import type { Item } from '../attribute-codec';
import { field } from '../fields';
import { decodeItem } from './decode';
import { StatusSchema } from './run';
import { StrategyRunStatusSchema } from './run-status';

/**
 * Narrow views of a run's items: the fields a run's progress is decided from (its completion,
 * asked after every order of the run), each checked as the full record checks it, the rest of the
 * item left unread. The full records are `decodeIntent` and `decodeRunStrategy`.
 */

export interface IntentProgress {
  readonly clientOrderId: string;
  readonly state: string;
}

export interface RunStrategyProgress {
  readonly strategyId: string;
  readonly status: string;
  readonly pendingSells: number;
}

const IntentProgressSchema = lazySchema(() =>
  z
    .object({ client_order_id: field.clientOrderId, state: StatusSchema })
    .transform((r): IntentProgress => ({ clientOrderId: r.client_order_id, state: r.state })),
);

const RunStrategyProgressSchema = lazySchema(() =>
  z
    .object({ strategy_id: field.strategyId, status: StrategyRunStatusSchema, pending_sells: field.count })
    .transform(
      (r): RunStrategyProgress => ({
        strategyId: r.strategy_id,
        status: r.status,
        pendingSells: r.pending_sells,
      }),
    ),
);

/** An intent item's client order id and state. */
export function decodeIntentProgress(item: Item): IntentProgress {
  return decodeItem(IntentProgressSchema(), item, 'intent');
}

/** A run strategy item's strategy, status and pending SELLs. */
export function decodeRunStrategyProgress(item: Item): RunStrategyProgress {
  return decodeItem(RunStrategyProgressSchema(), item, 'run strategy');
}
