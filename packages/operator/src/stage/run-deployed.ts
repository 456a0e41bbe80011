import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorMessage, marketDateOf, runIdOf, TradingDate } from '@books/core';
import { dayReport, formatDayReport } from '@books/local';
import { loadRunCompleteness } from '../queries/run-query';
import { type Ask, confirmMutation } from './confirm';
import type { DeployedStage } from './deployed-stage';
import type { Output } from './output';

export interface DeployedRunArgs {
  /** The trading day (default: today in New York). */
  readonly date?: string;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly yes: boolean;
}

export interface DeployedRunDeps {
  readonly sfn: SFNClient;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  /** Between two looks at the execution and the ledger. */
  readonly pollMs: number;
  /** How long to follow DailyRun and then the run's trades before giving up (they go on). */
  readonly followMs: number;
  readonly ask?: Ask;
}

export function sfnClientOf(stage: DeployedStage): SFNClient {
  return new SFNClient({
    region: stage.region,
    ...(stage.aws.endpoints ? { endpoint: stage.aws.endpoints.sfn } : {}),
    ...(stage.aws.credentials ? { credentials: stage.aws.credentials } : {}),
  });
}

/**
 * `books run --stage S` on a deployed stage: starts its DailyRun state machine with
 * `{tradingDate, dryRun}` (as a manual run), follows the execution and then the run's trades in
 * the ledger (the execution Lambda drains the queue) with a progress line on stderr, and prints
 * the same day report as the embedded run. Exit 0; 1 when DailyRun did not succeed, a strategy
 * FAILED or the run is STUCK; 2 on bad arguments or when not confirmed on a live stage.
 */
export async function runDeployedDay(
  stage: DeployedStage,
  args: DeployedRunArgs,
  io: Output,
  deps: DeployedRunDeps,
): Promise<number> {
  let date: TradingDate;
  try {
    date = args.date ? TradingDate(args.date) : marketDateOf(deps.now());
  } catch (e) {
    io.err(`books run: ${errorMessage(e)}\n`);
    return 2;
  }
  const arn = stage.stateMachineArn;
  if (!arn) {
    io.err(`books run: stage ${stage.stage} names no DailyRun state machine\n`);
    return 2;
  }
  const what = `start DailyRun for ${date}${args.dryRun ? ' (dry run)' : ''}`;
  if (
    !args.dryRun &&
    !(await confirmMutation(stage, what, {
      yes: args.yes,
      log: io.err,
      ...(deps.ask ? { ask: deps.ask } : {}),
    }))
  )
    return 2;
  const started = await deps.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: arn,
      name: `books-run-${date}-${deps.now().getTime()}`,
      input: JSON.stringify({
        tradingDate: date,
        trigger: 'books-run',
        ...(args.dryRun ? { dryRun: true } : {}),
      }),
    }),
  );
  const executionArn = started.executionArn ?? '';
  const startedAt = deps.now().getTime();
  const elapsed = () => `${Math.round((deps.now().getTime() - startedAt) / 1000)}s`;
  io.err(`books run: DailyRun ${executionArn} started\n`);
  const followUntil = startedAt + deps.followMs;
  let status = 'RUNNING';
  let cause = '';
  for (;;) {
    const d = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    status = d.status ?? 'UNKNOWN';
    cause = [d.error, d.cause].filter(Boolean).join(': ');
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE') break;
    if (deps.now().getTime() >= followUntil) {
      io.err(
        `books run: DailyRun still ${status} after ${elapsed()}; it goes on: aws stepfunctions describe-execution --execution-arn ${executionArn}\n`,
      );
      return 1;
    }
    io.err(`books run: DailyRun ${status} (${elapsed()})\n`);
    await deps.sleep(deps.pollMs);
  }
  if (status !== 'SUCCEEDED') {
    io.err(
      `books run: DailyRun ${status} after ${elapsed()}${cause ? `: ${cause}` : ''} (execution ${executionArn})\n`,
    );
    return 1;
  }
  io.err(`books run: DailyRun SUCCEEDED (${elapsed()})\n`);
  const runId = runIdOf(stage.stage, date);
  let completeness = await loadRunCompleteness(stage.services, runId, deps.now());
  while (!args.dryRun && completeness?.status === 'IN_PROGRESS' && deps.now().getTime() < followUntil) {
    io.err(`books run: ${completeness.missing.length} trade(s) of ${runId} still executing (${elapsed()})\n`);
    await deps.sleep(deps.pollMs);
    completeness = await loadRunCompleteness(stage.services, runId, deps.now());
  }
  const report = await dayReport(stage.services, date);
  io.out(
    args.json
      ? `${JSON.stringify({ ...report, execution: executionArn, completeness: completeness?.status ?? 'NO_RUN' }, null, 2)}\n`
      : formatDayReport(report),
  );
  if (completeness?.status === 'IN_PROGRESS')
    io.err(
      `books run: trades still executing after ${elapsed()}: follow them with  books runs ${runId} --stage ${stage.stage}\n`,
    );
  if (completeness?.status === 'STUCK') {
    io.err(
      `books run: ${runId} is STUCK: books runs ${runId} --stage ${stage.stage} shows what is missing\n`,
    );
    return 1;
  }
  return report.strategies.some((s) => s.status === 'FAILED') ? 1 : 0;
}

/** The CLI's `books run --stage S` for a deployed stage: opens it, runs the day, closes its clients. */
export async function runOnDeployedStage(
  name: string,
  args: DeployedRunArgs,
  io: Output,
  open: (name: string) => Promise<DeployedStage>,
): Promise<number> {
  const stage = await open(name);
  const sfn = sfnClientOf(stage);
  try {
    return await runDeployedDay(stage, args, io, {
      sfn,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      now: () => new Date(),
      pollMs: 5_000,
      followMs: 15 * 60_000,
    });
  } finally {
    sfn.destroy();
    stage.close();
  }
}
