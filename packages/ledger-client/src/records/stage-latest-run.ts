import { lazySchema, type RunId, RunIdSchema, type TradingDate, TradingDateSchema } from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';
import { stageLatestRunKey } from '../keys';
import type { Condition } from '../ledger-table';

/**
 * The stage's latest run (`STAGE#{stage}` / `LATEST_RUN`): the cursor the coordinator moves only
 * forward in date, compare-and-set on the value it read, so runs of a stage go forward in date.
 */
export interface StageLatestRun {
  readonly runId: RunId;
  readonly tradingDate: TradingDate;
}

const StageLatestRunItemSchema = lazySchema(() =>
  z.object({
    run_id: z.object({ S: RunIdSchema }),
    trading_date: z.object({ S: TradingDateSchema }),
  }),
);

export function encodeStageLatestRun(stage: string, run: StageLatestRun & { readonly at: string }): Item {
  return toItem({
    ...stageLatestRunKey(stage),
    entity: 'STAGE_LATEST_RUN',
    run_id: run.runId,
    trading_date: run.tradingDate,
    updated_at: run.at,
  });
}

export function decodeStageLatestRun(item: Item): StageLatestRun {
  const parsed = StageLatestRunItemSchema().safeParse(item);
  if (!parsed.success)
    throw new CorruptItemError(`stage latest run ${item.PK?.S ?? '?'}: ${parsed.error.message}`, {
      PK: item.PK?.S,
      SK: item.SK?.S,
    });
  return { runId: parsed.data.run_id.S, tradingDate: parsed.data.trading_date.S };
}

/** The cursor moves only from the date its mover read (absent: only if still absent). */
export function stageLatestRunCondition(seen: TradingDate | undefined): Condition {
  return seen === undefined
    ? { expression: 'attribute_not_exists(PK)' }
    : { expression: '#date = :seen', names: { '#date': 'trading_date' }, values: { ':seen': { S: seen } } };
}
