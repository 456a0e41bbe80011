import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, errorMessage, TradingDate } from '@books/core';
import {
  CORPORATE_ACTIONS_FILE,
  formatCorporateActions,
  generateSampleBars,
  sampleCorporateActions,
  sampleTradingDays,
} from '@books/market-data';
import type { Command } from 'commander';
import { z } from 'zod';
import { dayReport, formatDayReport } from '../../daily-run/day-report';
import { LocalWorld } from '../../daily-run/local-world';
import { DEFAULT_LAMBDA_PORT, offlineLambdaEndpoint } from '../../dev/offline-lambda';
import { answers } from '../../dev/offline-server';
import { runDayViaOffline } from '../../dev/run-via-offline';
import { booksHome, flowFlagsFile, startStack, stopStack, workspaceRoot } from '../../stack';
import { endpointsOf } from '../../stack/stack';
import { openDeployed, stageKindOf } from '../../stage/open-stage';
import { runOnDeployedStage } from '../../stage/run-deployed';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export interface RunArgs {
  readonly date?: string;
  readonly stage: string;
  readonly json: boolean;
  readonly dryRun: boolean;
  /** serverless-offline's Lambda port: run the day through the offline functions (`pnpm dev`). */
  readonly viaOfflinePort?: number;
  /** The simulated broker applies the sample corporate actions (see LocalWorldOptions). */
  readonly corporateActions?: boolean;
}

/** Sample history starts in 2023; the first simulated day leaves a year for 200-day indicators. */
const SAMPLE_FIRST_DAY = '2023-01-03';
const SAMPLE_LAST_DAY = '2025-12-31';
const FIRST_SIMULATED_DAY = '2024-01-02';

const CursorSchema = z.object({ lastDate: z.string() });

/**
 * `books run [--date D]` (and `pnpm start`): one complete daily cycle on the embedded default —
 * embedded stack, simulated broker, the project's sample bars and example strategies — then the
 * day's report. Without --date it runs the trading day after the last one it ran.
 */
export async function runDailyCycle(args: RunArgs, io: Output): Promise<number> {
  const home = booksHome();
  const barsDir = ensureSampleBars(home, io);
  const calendar = sampleTradingDays(SAMPLE_FIRST_DAY, SAMPLE_LAST_DAY);
  const cursorFile = join(home, `cursor.${args.stage}.json`);
  let date: TradingDate;
  try {
    date = args.date ? TradingDate(args.date) : nextDay(calendar, cursorFile);
  } catch (e) {
    io.err(`books run: ${errorMessage(e)}\n`);
    return 2;
  }
  if (date > SAMPLE_LAST_DAY) {
    io.err(
      `books run: nothing ran and nothing traded on ${date}: the sample data ends on ${SAMPLE_LAST_DAY}, ` +
        'and a strategy is planned only on bars of the previous trading day (they would be STALE_DATA); ' +
        `pick a day from ${FIRST_SIMULATED_DAY} to ${SAMPLE_LAST_DAY} with --date\n`,
    );
    return 2;
  }
  if (!calendar.includes(date)) {
    io.err(
      `books run: ${date} is not a trading day of the sample data (${SAMPLE_FIRST_DAY} … ${SAMPLE_LAST_DAY})\n`,
    );
    return 2;
  }

  const offline = args.viaOfflinePort === undefined ? undefined : offlineLambdaEndpoint(args.viaOfflinePort);
  if (offline !== undefined && !(await answers(offline))) {
    io.err(
      `books run: no serverless-offline at ${offline}: start it with  pnpm dev  (or give --lambda-port)\n`,
    );
    return 2;
  }
  const stack = await startStack({ home, stage: args.stage });
  if (offline !== undefined && (stack.stage ?? 'local') !== args.stage) {
    io.err(
      `books run: the running stack serves stage ${stack.stage ?? 'local'}; run with --stage ${stack.stage ?? 'local'}\n`,
    );
    if (!stack.reused) await stopStack(stack);
    return 2;
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
      ...(args.corporateActions ? { corporateActions: true } : {}),
    });
    const runOnce = () =>
      offline === undefined
        ? world.runDay(date, { dryRun: args.dryRun })
        : runDayViaOffline(world, date, {
            lambdaEndpoint: offline,
            booksHome: home,
            dryRun: args.dryRun,
          });
    let result = await runOnce();
    // Refused while the previous day's orders were in flight: the drain that followed delivered
    // what was left of that day (followed to its end, or expired unplaced), so plan once more.
    if (/^waiting:/.test(refusalOf(result.plan)?.reason ?? '') && result.drain.delivered > 0)
      result = await runOnce();
    const refusal = refusalOf(result.plan);
    const refused = refusal !== undefined && REFUSED.test(refusal.reason);
    if (!args.dryRun && !refused) writeFileSync(cursorFile, JSON.stringify({ lastDate: date }));
    if (refused)
      io.err(
        `books run: ${date} was not run: ${refusal.reason}\n${(refusal.problems ?? []).map((p) => `  ${p}\n`).join('')}`,
      );
    const report = await dayReport(world.services, date);
    io.out(
      args.json
        ? `${JSON.stringify({ ...report, plan: result.plan, drain: result.drain }, null, 2)}\n`
        : formatDayReport(report),
    );
    const { leftInFlight } = result.drain;
    if (leftInFlight !== undefined)
      io.err(
        `books run: ${leftInFlight} execution message(s) stayed in flight (received by a run that stopped, or by another consumer); ` +
          'they come back when the queue visibility timeout ends: run again then (books stack status shows them)\n',
      );
    // --json prints one JSON document on stdout: the log file's path goes to stderr.
    if (args.json) io.err(`logs: ${logFile}\n`);
    else io.out(`logs: ${logFile}\n`);
    if (refused) return 1;
    return report.strategies.some((s) => s.status === 'FAILED') ? 1 : 0;
  } catch (e) {
    io.err(`books run: ${errorMessage(e)}\n(see ${logFile})\n`);
    return 1;
  } finally {
    logStream.end();
    if (!stack.reused) await stopStack(stack);
  }
}

/** DailyRun's output when the coordinator did not plan the run (the Skipped state keeps its plan). */
const RefusalSchema = z.object({
  plan: z.object({
    proceed: z.literal(false),
    reason: z.string(),
    problems: z.array(z.string()).optional(),
  }),
});

/**
 * Reasons that mean the day was not run and must be run again (an invalid configuration, a date
 * out of order, a previous day still in flight, a reconciliation block), as opposed to a day that
 * needs no run (the market is closed, the run already exists).
 */
export const REFUSED = /^(stopped|refused|waiting):/;

export function refusalOf(plan: unknown): z.infer<typeof RefusalSchema>['plan'] | undefined {
  const parsed = RefusalSchema.safeParse(plan);
  return parsed.success ? parsed.data.plan : undefined;
}

/** The project's sample bars under `home`, generated deterministically on first use. */
export function ensureSampleBars(home: string, io: Output): string {
  const barsDir = join(home, 'sample-bars');
  const days = sampleTradingDays(SAMPLE_FIRST_DAY, SAMPLE_LAST_DAY);
  // Bars written before the sample had corporate actions are unsplit: written again with the file.
  if (!existsSync(join(barsDir, 'SPY.csv')) || !existsSync(join(barsDir, CORPORATE_ACTIONS_FILE))) {
    mkdirSync(barsDir, { recursive: true });
    for (const [symbol, csv] of generateSampleBars(days)) writeFileSync(join(barsDir, `${symbol}.csv`), csv);
    writeFileSync(
      join(barsDir, CORPORATE_ACTIONS_FILE),
      formatCorporateActions(sampleCorporateActions(days)),
    );
    io.out(`sample bars: generated ${SAMPLE_FIRST_DAY} … ${SAMPLE_LAST_DAY} in ${barsDir}\n`);
  }
  return barsDir;
}

function nextDay(calendar: readonly TradingDate[], cursorFile: string): TradingDate {
  if (!existsSync(cursorFile)) return TradingDate(FIRST_SIMULATED_DAY);
  const { lastDate } = CursorSchema.parse(JSON.parse(readFileSync(cursorFile, 'utf8')));
  const next = calendar.find((d) => d > lastDate);
  if (!next) throw new Error(`the sample data ends at ${lastDate}; pick a day with --date`);
  return next;
}

export function registerRun(program: Command): void {
  const action = (opts: unknown) => {
    const o = z
      .object({
        date: z.string().optional(),
        stage: z.string(),
        json: z.boolean().optional(),
        dryRun: z.boolean().optional(),
        viaOffline: z.boolean().optional(),
        corporateActions: z.boolean().optional(),
        lambdaPort: z.coerce.number().int().min(1).max(65535).optional(),
        yes: z.boolean().optional(),
      })
      .parse(opts);
    if (stageKindOf(o.stage) === 'deployed') return runDeployedFromCli(o);
    return runDailyCycle(
      {
        ...(o.date ? { date: o.date } : {}),
        stage: o.stage,
        json: o.json ?? false,
        dryRun: o.dryRun ?? false,
        ...(o.viaOffline ? { viaOfflinePort: o.lambdaPort ?? DEFAULT_LAMBDA_PORT } : {}),
        ...(o.corporateActions ? { corporateActions: true } : {}),
      },
      { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
    ).then((code) => {
      process.exitCode = code;
    });
  };
  program
    .command('run')
    .description('run one daily cycle on the embedded default (the next trading day, or --date)')
    .option('--date <YYYY-MM-DD>', 'the trading day to simulate')
    .option('--stage <stage>', 'the stage whose strategies/config.<stage>.json to use', 'local')
    .option('--dry-run', 'evaluate and plan only; write and send nothing')
    .option('--json', 'print the report as JSON')
    .option(
      '--corporate-actions',
      'the simulated broker applies the sample corporate actions (dividends, splits, deposits); off by default until the books ingest them',
    )
    .option('--via-offline', 'run it through the serverless-offline functions of `pnpm dev`')
    .option('--yes', 'a deployed live-money stage: do not ask for confirmation')
    .option(
      '--lambda-port <port>',
      `serverless-offline's Lambda port (with --via-offline)`,
      String(DEFAULT_LAMBDA_PORT),
    )
    .action(action);
  program
    .command('start')
    .description('the main job: start the embedded stack and run the next daily cycle')
    .option('--stage <stage>', 'the stage whose strategies/config.<stage>.json to use', 'local')
    .action(action);
}

/** `books run --stage S` where S is deployed: starts its DailyRun and follows it (stage/run-deployed.ts). */
async function runDeployedFromCli(o: {
  stage: string;
  date?: string | undefined;
  json?: boolean | undefined;
  dryRun?: boolean | undefined;
  yes?: boolean | undefined;
}): Promise<void> {
  process.exitCode = await runOnDeployedStage(
    o.stage,
    {
      ...(o.date ? { date: o.date } : {}),
      json: o.json ?? false,
      dryRun: o.dryRun ?? false,
      yes: o.yes ?? false,
    },
    { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
    (name) => openDeployed(name),
  );
}
