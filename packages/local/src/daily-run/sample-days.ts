import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TradingDate } from '@books/core';
import {
  CORPORATE_ACTIONS_FILE,
  formatCorporateActions,
  generateSampleBars,
  sampleCorporateActions,
  sampleTradingDays,
} from '@books/market-data';
import * as z from 'zod';

/** Sample history starts in 2023; the first simulated day leaves a year for 200-day indicators. */
export const SAMPLE_FIRST_DAY = '2023-01-03';
export const SAMPLE_LAST_DAY = '2025-12-31';
export const FIRST_SIMULATED_DAY = '2024-01-02';

/** The trading days of the sample data. */
export function sampleCalendar(): TradingDate[] {
  return sampleTradingDays(SAMPLE_FIRST_DAY, SAMPLE_LAST_DAY);
}

/**
 * The project's sample bars under `home`, generated deterministically on first use; `generated`
 * says whether this call wrote them.
 */
export function ensureSampleBars(home: string): { readonly dir: string; readonly generated: boolean } {
  const dir = join(home, 'sample-bars');
  const days = sampleCalendar();
  const actions = formatCorporateActions(sampleCorporateActions(days));
  // Bars written before the sample had corporate actions, or with other ones (the splits moved),
  // show other splits: written again with the file.
  const actionsFile = join(dir, CORPORATE_ACTIONS_FILE);
  if (
    existsSync(join(dir, 'SPY.csv')) &&
    existsSync(actionsFile) &&
    readFileSync(actionsFile, 'utf8') === actions
  )
    return { dir, generated: false };
  mkdirSync(dir, { recursive: true });
  for (const [symbol, csv] of generateSampleBars(days)) writeFileSync(join(dir, `${symbol}.csv`), csv);
  writeFileSync(actionsFile, actions);
  return { dir, generated: true };
}

const CursorSchema = z.object({ lastDate: z.string() });

/** The stage's run cursor in `home`: the last day `books run` ran (not dry, not refused). */
export function runCursorFile(home: string, stage: string): string {
  return join(home, `cursor.${stage}.json`);
}

/** The trading day after the cursor's, or the first simulated day without a cursor. */
export function nextRunDay(calendar: readonly TradingDate[], cursorFile: string): TradingDate {
  if (!existsSync(cursorFile)) return TradingDate(FIRST_SIMULATED_DAY);
  const { lastDate } = CursorSchema.parse(JSON.parse(readFileSync(cursorFile, 'utf8')));
  const next = calendar.find((d) => d > lastDate);
  if (!next) throw new Error(`the sample data ends at ${lastDate}; pick a day with --date`);
  return next;
}

/** The cursor's day, if a readable cursor exists (queries read it; a bad cursor names no day). */
export function readRunCursor(cursorFile: string): TradingDate | undefined {
  if (!existsSync(cursorFile)) return undefined;
  const parsed = CursorSchema.safeParse(JSON.parse(readFileSync(cursorFile, 'utf8')));
  return parsed.success ? TradingDate(parsed.data.lastDate) : undefined;
}

export function writeRunCursor(cursorFile: string, date: TradingDate): void {
  writeFileSync(cursorFile, JSON.stringify({ lastDate: date }));
}

/** The sample bars were not under home yet and were generated there. */
export interface SampleBarsGenerated {
  readonly kind: 'sample-bars-generated';
  readonly dir: string;
  readonly first: string;
  readonly last: string;
}

/** The project's sample bars under `home` (see ensureSampleBars), reporting when it generates them. */
export function sampleBars(home: string, onEvent: (event: SampleBarsGenerated) => void): string {
  const { dir, generated } = ensureSampleBars(home);
  if (generated)
    onEvent({ kind: 'sample-bars-generated', dir, first: SAMPLE_FIRST_DAY, last: SAMPLE_LAST_DAY });
  return dir;
}
