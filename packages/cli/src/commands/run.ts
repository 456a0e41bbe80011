import {
  booksHome,
  type DailyCycleEvent,
  type DailyCycleOutcome,
  type DailyCycleRejection,
  DEFAULT_LAMBDA_PORT,
  formatDayReport,
  runDailyCycle as runCycle,
} from '@books/local';
import { openDeployed, runOnDeployedStage, stageKindOf } from '@books/operator';
import type { Command } from 'commander';
import * as z from 'zod';
import { formatSampleBars } from '../format';

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
 * `books run [--date D]` (and `pnpm start`): one complete daily cycle on the embedded default
 * (`@books/local`'s runDailyCycle), then the day's report. Without --date it runs the trading day
 * after the last one it ran. Exit 2 when nothing ran, 1 when refused or a strategy failed.
 */
export async function runDailyCycle(args: RunArgs, io: Output): Promise<number> {
  const outcome = await runCycle(
    {
      home: booksHome(),
      ...(args.date ? { date: args.date } : {}),
      stage: args.stage,
      dryRun: args.dryRun,
      ...(args.viaOfflinePort !== undefined ? { viaOfflinePort: args.viaOfflinePort } : {}),
      ...(args.corporateActions !== undefined ? { corporateActions: args.corporateActions } : {}),
    },
    (event) => sayEvent(event, io),
  );
  return formatOutcome(outcome, args.json, io);
}

function sayEvent(event: DailyCycleEvent, io: Output): void {
  if (event.kind === 'sample-bars-generated') io.out(formatSampleBars(event));
  else
    io.err(
      `books run: ${event.date} was not run: ${event.refusal.reason}\n${(event.refusal.problems ?? []).map((p) => `  ${p}\n`).join('')}`,
    );
}

function formatOutcome(outcome: DailyCycleOutcome, json: boolean, io: Output): number {
  if (outcome.kind === 'rejected') {
    io.err(`books run: ${formatRejection(outcome.rejection)}\n`);
    return 2;
  }
  if (outcome.kind === 'failed') {
    io.err(`books run: ${outcome.message}\n(see ${outcome.logFile})\n`);
    return 1;
  }
  const { report, drain, logFile } = outcome;
  io.out(
    json ? `${JSON.stringify({ ...report, plan: outcome.plan, drain }, null, 2)}\n` : formatDayReport(report),
  );
  if (drain.leftInFlight !== undefined)
    io.err(
      `books run: ${drain.leftInFlight} execution message(s) stayed in flight (received by a run that stopped, or by another consumer); ` +
        'they come back when the queue visibility timeout ends: run again then (books stack status shows them)\n',
    );
  // --json prints one JSON document on stdout: the log file's path goes to stderr.
  if (json) io.err(`logs: ${logFile}\n`);
  else io.out(`logs: ${logFile}\n`);
  if (outcome.refused) return 1;
  return report.strategies.some((s) => s.status === 'FAILED') ? 1 : 0;
}

function formatRejection(r: DailyCycleRejection): string {
  switch (r.kind) {
    case 'bad-date':
      return r.message;
    case 'beyond-data':
      return (
        `nothing ran and nothing traded on ${r.date}: the sample data ends on ${r.last}, ` +
        'and a strategy is planned only on bars of the previous trading day (they would be STALE_DATA); ' +
        `pick a day from ${r.firstSimulated} to ${r.last} with --date`
      );
    case 'not-trading-day':
      return `${r.date} is not a trading day of the sample data (${r.first} … ${r.last})`;
    case 'no-offline':
      return `no serverless-offline at ${r.endpoint}: start it with  pnpm dev  (or give --lambda-port)`;
    case 'other-stage':
      return `the running stack serves stage ${r.running}; run with --stage ${r.running}`;
  }
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
