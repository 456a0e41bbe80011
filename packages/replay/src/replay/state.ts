import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';

/**
 * The resume state of one replay stage (`.books/replay-<stage>.json`): the arguments it was
 * started with and one record per completed day, in order. It is written after each day's
 * reconciliation (atomically: a temporary file renamed), so the last record is the last day
 * completed; a day interrupted half-way is run again, which the daily cycle makes idempotent
 * (same run id and execution id: planned once, orders looked up by client id).
 */

const Decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

export const ReplayArgsSchema = z.object({
  from: Day,
  to: Day,
  /** Absolute path of the configuration file. */
  config: z.string().min(1),
  /** Absolute path of the CSV bars directory. */
  data: z.string().min(1),
  initialCash: Decimal,
  /** `--flow`: every strategy runs on this flow; absent, each on its configured flow. */
  flow: z.enum(['per-strategy', 'legacy']).optional(),
  /** `--no-corporate-actions`: false; absent, the simulated broker applies them (the default). */
  corporateActions: z.boolean().optional(),
});
export type ReplayArgs = z.infer<typeof ReplayArgsSchema>;

export const StrategyDaySchema = z.object({
  status: z.string(),
  /** Book equity at the day's close, lots at the broker's latest prices + cash. */
  equity: Decimal,
  /** Σ capital transfers into the book so far (the day's flow is the change). */
  transfersTotal: Decimal,
  /** Trades filled that day. */
  trades: z.number().int().nonnegative(),
  /** A merged-flow strategy's share of the LEGACY book (not a book of its own). */
  attributed: z.boolean().optional(),
  /** Status NOT_DUE: its rebalance schedule did not fall on the day, and why. */
  notDue: z.string().optional(),
});
export type StrategyDay = z.infer<typeof StrategyDaySchema>;

export const ReconDaySchema = z.object({
  ok: z.boolean(),
  breaks: z.array(
    z.object({
      symbol: z.string(),
      status: z.string(),
      unexplained: z.string(),
      /** Strategies whose books hold the symbol (none: a position no book explains). */
      strategies: z.array(z.string()).default([]),
    }),
  ),
  cashStatus: z.string(),
});
export type ReconDay = z.infer<typeof ReconDaySchema>;

export const DayRecordSchema = z.object({
  date: Day,
  runId: z.string(),
  runStatus: z.string(),
  /** The broker account's equity at the day's close (absent in states written before it was recorded). */
  accountEquity: Decimal.optional(),
  drain: z.object({
    delivered: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
  }),
  recon: ReconDaySchema,
  strategies: z.record(z.string(), StrategyDaySchema),
});
export type DayRecord = z.infer<typeof DayRecordSchema>;

export const ReplayStateSchema = z.object({
  version: z.literal(1),
  stage: z.string(),
  args: ReplayArgsSchema,
  lastCompletedDay: Day.nullable(),
  days: z.array(DayRecordSchema),
});
export type ReplayState = z.infer<typeof ReplayStateSchema>;

export class ReplayStateError extends Error {
  override readonly name = 'ReplayStateError';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function readReplayState(file: string): ReplayState | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ReplayStateError(`${file} is not JSON`, file, { cause: e });
  }
  const parsed = ReplayStateSchema.safeParse(raw);
  if (!parsed.success)
    throw new ReplayStateError(`${file} is not a replay state: ${parsed.error.message}`, file, {
      cause: parsed.error,
    });
  return parsed.data;
}

export function writeReplayState(file: string, state: ReplayState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The argument that differs between a stored replay and a new one, if any. */
export function argsMismatch(stored: ReplayArgs, wanted: ReplayArgs): string | undefined {
  for (const key of ['from', 'to', 'config', 'data', 'initialCash', 'flow'] as const)
    if (stored[key] !== wanted[key])
      return `${key}: ${stored[key] ?? 'as configured'} (stored) ≠ ${wanted[key] ?? 'as configured'} (now)`;
  const actions = (a: ReplayArgs) => ((a.corporateActions ?? true) ? 'applied' : 'none');
  if (actions(stored) !== actions(wanted))
    return `corporate actions: ${actions(stored)} (stored) ≠ ${actions(wanted)} (now)`;
  return undefined;
}
