import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, errorMessage, TradingDate } from '@books/core';
import {
  answers,
  booksHome,
  DEFAULT_LAMBDA_PORT,
  dayReport,
  endpointsOf,
  ensureSampleBars,
  FIRST_SIMULATED_DAY,
  flowFlagsFile,
  formatDayReport,
  LocalWorld,
  nextRunDay,
  offlineLambdaEndpoint,
  REFUSED,
  refusalOf,
  runCursorFile,
  runDayViaOffline,
  SAMPLE_FIRST_DAY,
  SAMPLE_LAST_DAY,
  sampleCalendar,
  startStack,
  stopStack,
  workspaceRoot,
  writeRunCursor,
} from '@books/local';
import { openDeployed, runOnDeployedStage, stageKindOf } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';

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
  /** false: the simulated broker applies no corporate action (default: it applies them; see LocalWorldOptions). */
  readonly corporateActions?: boolean;
}

/**
 * `books run [--date D]` (and `pnpm start`): one complete daily cycle on the embedded default —
 * embedded stack, simulated broker, the project's sample bars and example strategies — then the
 * day's report. Without --date it runs the trading day after the last one it ran.
 */
export async function runDailyCycle(args: RunArgs, io: Output): Promise<number> {
  const home = booksHome();
  const barsDir = sampleBars(home, io);
  const calendar = sampleCalendar();
  const cursorFile = runCursorFile(home, args.stage);
  let date: TradingDate;
  try {
    date = args.date ? TradingDate(args.date) : nextRunDay(calendar, cursorFile);
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
      ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
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
    if (!args.dryRun && !refused) writeRunCursor(cursorFile, date);
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

/** The project's sample bars under `home` (see ensureSampleBars), saying so on `io.out` when it generates them. */
export function sampleBars(home: string, io: Output): string {
  const { dir, generated } = ensureSampleBars(home);
  if (generated) io.out(`sample bars: generated ${SAMPLE_FIRST_DAY} … ${SAMPLE_LAST_DAY} in ${dir}\n`);
  return dir;
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
        ...(o.corporateActions !== undefined ? { corporateActions: o.corporateActions } : {}),
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
      'the simulated broker applies the sample corporate actions (dividends, splits, deposits; the default), posted to the books before the plan',
    )
    .option('--no-corporate-actions', 'the simulated broker applies none')
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
