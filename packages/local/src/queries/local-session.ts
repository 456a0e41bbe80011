import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type BooksConfig,
  createLogger,
  marketTimeToInstant,
  parseBooksConfig,
  StrategyId,
  TradingDate,
} from '@books/core';
import { sampleTradingDays } from '@books/market-data';
import type { Services } from '@books/runtime';
import * as z from 'zod';
import { LocalWorld } from '../daily-run/local-world';
import { booksHome, endpointsOf, flowFlagsFile, startStack, stopStack, workspaceRoot } from '../stack';
import { laterRunDate, ledgerLatestRunDate } from './latest-run';

/** What a query command needs: the stage's services and what it knows of its calendar. */
export interface QueryContext {
  readonly services: Services;
  readonly stage: string;
  /** The stage's configured strategies (the default set of every query). */
  readonly strategyIds: readonly StrategyId[];
  /** Trading days of the stage's market data, ascending. */
  readonly calendar: readonly TradingDate[];
  /** The stage's latest run date (the ledger's cursor or `books run`'s local one), when known. */
  readonly lastRunDate?: TradingDate;
  /** Wall-clock now (for STUCK): injected, never read inside the queries. */
  readonly now: Date;
  /** The execution DLQ's URL when the stage knows it (a deployed stage's stack output); else looked up by name. */
  readonly executionDlqUrl?: string;
}

/** The sample market data `books run` generates (see commands/run.ts). */
const SAMPLE_FIRST_DAY = '2023-01-03';
const SAMPLE_LAST_DAY = '2025-12-31';

const CursorSchema = z.object({ lastDate: z.string() });

export function stageConfig(
  strategiesDir: string,
  stage: string,
  name = `config.${stage}.json`,
): BooksConfig {
  const file = join(strategiesDir, name);
  if (!existsSync(file)) throw new Error(`no strategies configuration ${file}`);
  return parseBooksConfig(JSON.parse(readFileSync(file, 'utf8')), {
    source: file,
    fileExists: (f) => existsSync(join(strategiesDir, f)),
  });
}

/** The last trading day `books run` completed on the stage (its cursor file), if any. */
export function lastRunDate(home: string, stage: string): TradingDate | undefined {
  const file = join(home, `cursor.${stage}.json`);
  if (!existsSync(file)) return undefined;
  const parsed = CursorSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? TradingDate(parsed.data.lastDate) : undefined;
}

/**
 * Starts (or reuses) the persisted embedded stack of the stage and opens its services, with the
 * simulated broker's clock at the close of the last run day (so "latest prices" are that day's
 * closes), runs `work`, and stops the stack only if this call started it.
 */
export async function withLocalQueries<T>(
  stage: string,
  work: (ctx: QueryContext) => Promise<T>,
): Promise<T> {
  const home = booksHome();
  const barsDir = join(home, 'sample-bars');
  mkdirSync(barsDir, { recursive: true });
  const strategiesDir = join(workspaceRoot(), 'strategies');
  const config = stageConfig(strategiesDir, stage);
  const cursor = lastRunDate(home, stage);
  const stack = await startStack({ home, stage });
  try {
    const world = await LocalWorld.open({
      endpoints: endpointsOf(stack),
      stage,
      barsDir,
      strategiesDir,
      flowFlagsFile: flowFlagsFile(home, stage),
      logger: createLogger({ service: 'books-query' }, { level: 'error', destination: process.stderr }),
    });
    // The ledger's cursor as well as the local file: a first run that crashed wrote only the former.
    const last = laterRunDate(cursor, await ledgerLatestRunDate(world.services.table, stage));
    if (last) world.clock.set(marketTimeToInstant(last, '16:00'));
    return await work({
      services: world.services,
      stage,
      strategyIds: config.strategies.map((s) => s.id),
      calendar: sampleTradingDays(SAMPLE_FIRST_DAY, SAMPLE_LAST_DAY),
      ...(last ? { lastRunDate: last } : {}),
      now: new Date(),
    });
  } finally {
    if (!stack.reused) await stopStack(stack);
  }
}

/** `--strategy S` when given (any valid id: a strategy no longer configured may still own a book), else all configured. */
export function selectStrategies(ctx: Pick<QueryContext, 'strategyIds'>, strategy?: string): StrategyId[] {
  return strategy === undefined ? [...ctx.strategyIds] : [StrategyId(strategy)];
}
