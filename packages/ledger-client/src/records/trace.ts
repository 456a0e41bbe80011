import { gunzipSync, gzipSync } from 'node:zlib';
import { type RunId, type StrategyId, TradingDate } from '@books/core';
import { type Item, toItem } from '../attribute-codec';
import { CorruptItemError } from '../errors';
import { keys } from '../keys';
import type { LedgerTable } from '../ledger-table';

/**
 * A strategy's decision trace for one run (`RUN#{runId}` / `TRACE#{sid}`): how its evaluation
 * reached the targets of its plan (the DSL's `Trace`, whose schema is the DSL's: stored here as
 * gzip-compressed JSON in base64). Written in the plan's transaction, so it exists exactly when
 * the plan does.
 *
 * Bound: a DynamoDB item holds at most 400 KB. A trace whose compressed text exceeds
 * `MAX_TRACE_CHARS` is stored as its `fallback` instead (the caller's smaller form: the outcome
 * without the decisions) and marked `truncated`. The biggest public strategies' traces are tens of
 * KB before compression (`pnpm bench dsl` prints the largest).
 */
export const MAX_TRACE_CHARS = 300_000;

export interface StoredTrace {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly asOf: TradingDate;
  /** The fallback was stored: the full trace did not fit. */
  readonly truncated: boolean;
  /** The trace document, parsed from JSON (validate it with the DSL's TraceSchema). */
  readonly trace: unknown;
}

export function encodeTraceItem(input: {
  readonly runId: RunId;
  readonly strategyId: StrategyId;
  readonly asOf: TradingDate;
  readonly trace: unknown;
  /** Stored instead of `trace` when it does not fit. */
  readonly fallback: unknown;
}): Item {
  let text = compressed(input.trace);
  const truncated = text.length > MAX_TRACE_CHARS;
  if (truncated) text = compressed(input.fallback);
  return toItem({
    ...keys.trace(input.runId, input.strategyId),
    entity: 'RUN_TRACE',
    strategy_id: input.strategyId,
    as_of: input.asOf,
    truncated,
    trace_gz: text,
  });
}

function compressed(doc: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(doc), 'utf8')).toString('base64');
}

export function decodeTraceItem(item: Item, runId: RunId, strategyId: StrategyId): StoredTrace {
  const text = item.trace_gz?.S;
  const asOf = item.as_of?.S;
  const at = { PK: item.PK?.S, SK: item.SK?.S };
  if (text === undefined || asOf === undefined)
    throw new CorruptItemError('a trace item needs trace_gz and as_of', at);
  let trace: unknown;
  try {
    trace = JSON.parse(gunzipSync(Buffer.from(text, 'base64')).toString('utf8'));
  } catch (e) {
    throw new CorruptItemError('trace_gz of a trace item is not gzip-compressed JSON', at, { cause: e });
  }
  return { runId, strategyId, asOf: TradingDate(asOf), truncated: item.truncated?.BOOL === true, trace };
}

/** The trace of a strategy in a run, or undefined when the run recorded none (no plan, a failure). */
export async function readStoredTrace(
  table: LedgerTable,
  runId: RunId,
  strategyId: StrategyId,
): Promise<StoredTrace | undefined> {
  const item = await table.getItem(keys.trace(runId, strategyId));
  return item && decodeTraceItem(item, runId, strategyId);
}
