import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, errorMessage, TradingDate } from '@books/core';
import { offlineLambdaEndpoint } from '../dev/offline-lambda';
import { answers } from '../dev/offline-server';
import { runDayViaOffline } from '../dev/run-via-offline';
import { flowFlagsFile, workspaceRoot } from '../stack/paths';
import { endpointsOf, startStack, stopStack } from '../stack/stack';
import { type DayReport, dayReport } from './day-report';
import { LocalWorld } from './local-world';
import type { DrainReport } from './queue-poller';
import { REFUSED, refusalOf } from './refusal';
import {
  FIRST_SIMULATED_DAY,
  nextRunDay,
  runCursorFile,
  SAMPLE_FIRST_DAY,
  SAMPLE_LAST_DAY,
  type SampleBarsGenerated,
  sampleBars,
  sampleCalendar,
  writeRunCursor,
} from './sample-days';

export interface DailyCycleArgs {
  /** Where the stack, the sample bars, the run cursor and the logs live (`booksHome()`). */
  readonly home: string;
  /** The trading day; default the day after the stage's run cursor. */
  readonly date?: string;
  readonly stage: string;
  readonly dryRun: boolean;
  /** serverless-offline's Lambda port: run the day through the offline functions (`pnpm dev`). */
  readonly viaOfflinePort?: number;
  /** false: the simulated broker applies no corporate action (default: it applies them; see LocalWorldOptions). */
  readonly corporateActions?: boolean;
}

export type Refusal = NonNullable<ReturnType<typeof refusalOf>>;

/** What the cycle reports as it goes, in order (the caller says it, or not). */
export type DailyCycleEvent =
  | SampleBarsGenerated
  /** The coordinator refused to run the day (REFUSED): the run cursor did not move. */
  | { readonly kind: 'refused'; readonly date: TradingDate; readonly refusal: Refusal };

/** Why the cycle ran nothing (nothing was started or written but the sample bars). */
export type DailyCycleRejection =
  | { readonly kind: 'bad-date'; readonly message: string }
  /** After the sample data: a strategy is planned only on the previous day's bars (STALE_DATA). */
  | {
      readonly kind: 'beyond-data';
      readonly date: TradingDate;
      readonly firstSimulated: string;
      readonly last: string;
    }
  | {
      readonly kind: 'not-trading-day';
      readonly date: TradingDate;
      readonly first: string;
      readonly last: string;
    }
  | { readonly kind: 'no-offline'; readonly endpoint: string }
  /** --via-offline onto a running stack of another stage. */
  | { readonly kind: 'other-stage'; readonly running: string };

export type DailyCycleOutcome =
  | { readonly kind: 'rejected'; readonly rejection: DailyCycleRejection }
  | {
      readonly kind: 'ran';
      readonly date: TradingDate;
      readonly report: DayReport;
      readonly plan: unknown;
      readonly drain: DrainReport;
      /** The coordinator refused the day (also reported as a 'refused' event). */
      readonly refused: boolean;
      readonly logFile: string;
    }
  /** The cycle threw after the stack started; the log file has the detail. */
  | { readonly kind: 'failed'; readonly message: string; readonly logFile: string };

/**
 * One complete daily cycle on the embedded default (`books run`, `pnpm start`): the embedded
 * stack (started, or reused when running), the simulated broker, the project's sample bars and
 * example strategies, then the day's report. Without a date it runs the trading day after the
 * stage's run cursor, and moves the cursor when the day ran (not on a dry run, not when refused).
 * A stack it started is stopped before it returns.
 */
export async function runDailyCycle(
  args: DailyCycleArgs,
  onEvent: (event: DailyCycleEvent) => void,
): Promise<DailyCycleOutcome> {
  const { home } = args;
  const barsDir = sampleBars(home, onEvent);
  const calendar = sampleCalendar();
  const cursorFile = runCursorFile(home, args.stage);
  let date: TradingDate;
  try {
    date = args.date ? TradingDate(args.date) : nextRunDay(calendar, cursorFile);
  } catch (e) {
    return rejected({ kind: 'bad-date', message: errorMessage(e) });
  }
  if (date > SAMPLE_LAST_DAY)
    return rejected({
      kind: 'beyond-data',
      date,
      firstSimulated: FIRST_SIMULATED_DAY,
      last: SAMPLE_LAST_DAY,
    });
  if (!calendar.includes(date))
    return rejected({ kind: 'not-trading-day', date, first: SAMPLE_FIRST_DAY, last: SAMPLE_LAST_DAY });

  const offline = args.viaOfflinePort === undefined ? undefined : offlineLambdaEndpoint(args.viaOfflinePort);
  if (offline !== undefined && !(await answers(offline)))
    return rejected({ kind: 'no-offline', endpoint: offline });
  const stack = await startStack({ home, stage: args.stage });
  if (offline !== undefined && (stack.stage ?? 'local') !== args.stage) {
    if (!stack.reused) await stopStack(stack);
    return rejected({ kind: 'other-stage', running: stack.stage ?? 'local' });
  }
  mkdirSync(join(home, 'logs'), { recursive: true });
  const logFile = join(home, 'logs', `run-${date}.log`);
  const logStream = createWriteStream(logFile, { flags: 'a' });
  try {
    const world = await LocalWorld.open({
      endpoints: endpointsOf(stack),
      stage: args.stage,
      barsDir,
      strategiesDir: join(workspaceRoot(), 'strategies'),
      flowFlagsFile: flowFlagsFile(home, args.stage),
      notificationsDir: join(home, 'notifications'),
      logger: createLogger({ service: 'books-run' }, { destination: logStream }),
      ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
    });
    const runOnce = () =>
      offline === undefined
        ? world.runDay(date, { dryRun: args.dryRun })
        : runDayViaOffline(world, date, { lambdaEndpoint: offline, booksHome: home, dryRun: args.dryRun });
    let result = await runOnce();
    // Refused while the previous day's orders were in flight: the drain that followed delivered
    // what was left of that day (followed to its end, or expired unplaced), so plan once more.
    if (/^waiting:/.test(refusalOf(result.plan)?.reason ?? '') && result.drain.delivered > 0)
      result = await runOnce();
    const refusal = refusalOf(result.plan);
    const refused = refusal !== undefined && REFUSED.test(refusal.reason);
    if (!args.dryRun && !refused) writeRunCursor(cursorFile, date);
    if (refused) onEvent({ kind: 'refused', date, refusal });
    const report = await dayReport(world.services, date);
    return { kind: 'ran', date, report, plan: result.plan, drain: result.drain, refused, logFile };
  } catch (e) {
    return { kind: 'failed', message: errorMessage(e), logFile };
  } finally {
    logStream.end();
    if (!stack.reused) await stopStack(stack);
  }
}

function rejected(rejection: DailyCycleRejection): DailyCycleOutcome {
  return { kind: 'rejected', rejection };
}
