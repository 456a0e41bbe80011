import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { marketTimeToInstant, runIdOf, type TradingDate } from '@books/core';
import { SIMULATED_CLOCK_FILE } from '@books/runtime';
import { type LocalStateMachine, loadStateMachine } from '../daily-run/definition';
import type { DayResult, LocalWorld } from '../daily-run/local-world';
import type { PollerOptions } from '../daily-run/queue-poller';
import { type FunctionHandler, runStateMachine } from '../daily-run/state-machine-runner';
import { deployedFunctionName, invokeFunction, offlineLambda } from './offline-lambda';
import { drainThroughOffline } from './offline-poller';
import { readServerlessFunctions } from './serverless-functions';

export interface ViaOfflineOptions {
  /** serverless-offline's Lambda endpoint. */
  readonly lambdaEndpoint: string;
  /** The stack's home the offline functions read (stack.json, sample bars, simulated clock). */
  readonly booksHome: string;
  readonly serverlessFile?: string;
  readonly dryRun?: boolean;
  readonly drain?: PollerOptions;
}

/**
 * One daily cycle through serverless-offline: the offline functions are put on `date` at 15:30 New
 * York (the simulated clock file), DailyRun's definition runs with each Task invoking the offline
 * function its `Fn::GetAtt [fn, Arn]` names, then the execution queue is delivered through offline
 * until it is empty (alongside `pnpm dev`'s poller, if one runs). `world` is only used to read:
 * its stage, queue and SQS client must be those the offline functions use.
 */
export async function runDayViaOffline(
  world: LocalWorld,
  date: TradingDate,
  options: ViaOfflineOptions,
): Promise<DayResult> {
  const { env, clients, logger } = world.services;
  const stage = env.BOOKS_STAGE;
  const functions = readServerlessFunctions(options.serverlessFile);
  const machine = withoutDefaultTaskTimeout(loadStateMachine('dailyRun', stage, options.serverlessFile));
  const lambda = offlineLambda(options.lambdaEndpoint);
  try {
    const now = marketTimeToInstant(date, '15:30');
    setSimulatedClock(options.booksHome, now);
    world.clock.set(now);
    const handlers: Record<string, FunctionHandler> = {};
    for (const fn of new Set(machine.taskFunctions.values())) {
      const name = deployedFunctionName(functions.service, stage, fn);
      handlers[fn] = (input) => invokeFunction(lambda, name, input);
    }
    const plan = await runStateMachine(
      machine,
      handlers,
      { tradingDate: date, ...(options.dryRun ? { dryRun: true } : {}) },
      `offline:${stage}:${date}`,
    );
    const drain = await drainThroughOffline(
      {
        sqs: clients.sqs,
        queueUrl: world.executionQueueUrl,
        lambda,
        functionName: deployedFunctionName(functions.service, stage, functions.consumerOf('ExecutionQueue')),
        logger,
      },
      options.drain ?? { retryDelaySeconds: 1 },
    );
    return { date, runId: runIdOf(stage, date), plan, drain };
  } finally {
    lambda.destroy();
  }
}

/** Where local functions read the time from: written atomically, read at every clock call. */
export function setSimulatedClock(booksHome: string, now: Date): void {
  const file = join(booksHome, SIMULATED_CLOCK_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ now: now.toISOString() })}\n`);
  renameSync(tmp, file);
}

/**
 * Step Functions puts no timeout on a Task whose definition sets none (the Lambda's own timeout,
 * which serverless-offline enforces, bounds it); aws-local-stepfunctions defaults to 60 s, which
 * a cold start of bundled functions on a busy machine can exceed. Such Tasks get the longest
 * timeout a Node timer can hold instead.
 */
export function withoutDefaultTaskTimeout(machine: LocalStateMachine): LocalStateMachine {
  const MAX_TIMER_SECONDS = 2_147_483;
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, visit(v)]),
    );
    if (out.Type === 'Task' && out.TimeoutSeconds === undefined && out.TimeoutSecondsPath === undefined)
      out.TimeoutSeconds = MAX_TIMER_SECONDS;
    return out;
  };
  const definition: Record<string, unknown> = Object.fromEntries(
    Object.entries(machine.definition).map(([k, v]) => [k, visit(v)]),
  );
  return { definition, taskFunctions: machine.taskFunctions };
}
