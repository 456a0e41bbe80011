/**
 * The AWS cost of a run from COUNTED usage, at public us-east-1 on-demand prices. Pure.
 *
 * Prices (USD, us-east-1, as published on 2025-11-24; free tiers ignored):
 * - Lambda, arm64 (serverless.yml: architecture arm64): $0.20 per 1M requests and
 *   $0.0000133334 per GB-second — https://aws.amazon.com/lambda/pricing/
 * - SQS standard queue: $0.40 per 1M requests (each 64 KB chunk of a payload is one request;
 *   our messages are far below) — https://aws.amazon.com/sqs/pricing/
 * - DynamoDB on-demand (serverless.yml: PAY_PER_REQUEST), since the Nov 2024 price cut:
 *   $0.625 per 1M write request units, $0.125 per 1M read request units —
 *   https://aws.amazon.com/dynamodb/pricing/on-demand/
 * - Step Functions Standard workflows: $0.025 per 1,000 state transitions —
 *   https://aws.amazon.com/step-functions/pricing/
 */
import { Decimal } from '../../../packages/core/src';

export const LAMBDA_USD_PER_REQUEST = new Decimal('0.20').dividedBy(1_000_000);
export const LAMBDA_ARM64_USD_PER_GB_SECOND = new Decimal('0.0000133334');
export const SQS_USD_PER_REQUEST = new Decimal('0.40').dividedBy(1_000_000);
export const DYNAMODB_USD_PER_WRITE_UNIT = new Decimal('0.625').dividedBy(1_000_000);
export const DYNAMODB_USD_PER_READ_UNIT = new Decimal('0.125').dividedBy(1_000_000);
export const STEP_FUNCTIONS_USD_PER_TRANSITION = new Decimal('0.025').dividedBy(1_000);

/** One function's invocations and their summed wall time, with its configured memory. */
export interface FunctionUsage {
  readonly invocations: number;
  /** Σ wall time of the invocations, ms (each billed rounded up to 1 ms). */
  readonly billedMs: number;
  readonly memoryMb: number;
}

export interface Usage {
  readonly functions: Readonly<Record<string, FunctionUsage>>;
  /** SendMessage, ReceiveMessage, DeleteMessage… calls (a batch call is one request). */
  readonly sqsRequests: number;
  readonly dynamodbReadUnits: number;
  readonly dynamodbWriteUnits: number;
  readonly stateTransitions: number;
}

export interface Cost {
  readonly lambdaRequests: Decimal;
  readonly lambdaCompute: Decimal;
  readonly sqs: Decimal;
  readonly dynamodb: Decimal;
  readonly stepFunctions: Decimal;
  readonly total: Decimal;
}

/** GB-seconds of a function's invocations: Σ ms ÷ 1000 × memory MB ÷ 1024. */
export function gbSeconds(f: FunctionUsage): Decimal {
  return new Decimal(f.billedMs).dividedBy(1000).times(new Decimal(f.memoryMb).dividedBy(1024));
}

export function costOf(usage: Usage): Cost {
  const fns = Object.values(usage.functions);
  const lambdaRequests = LAMBDA_USD_PER_REQUEST.times(fns.reduce((n, f) => n + f.invocations, 0));
  const lambdaCompute = fns.reduce(
    (sum, f) => sum.plus(gbSeconds(f).times(LAMBDA_ARM64_USD_PER_GB_SECOND)),
    new Decimal(0),
  );
  const sqs = SQS_USD_PER_REQUEST.times(usage.sqsRequests);
  const dynamodb = DYNAMODB_USD_PER_READ_UNIT.times(usage.dynamodbReadUnits).plus(
    DYNAMODB_USD_PER_WRITE_UNIT.times(usage.dynamodbWriteUnits),
  );
  const stepFunctions = STEP_FUNCTIONS_USD_PER_TRANSITION.times(usage.stateTransitions);
  return {
    lambdaRequests,
    lambdaCompute,
    sqs,
    dynamodb,
    stepFunctions,
    total: lambdaRequests.plus(lambdaCompute).plus(sqs).plus(dynamodb).plus(stepFunctions),
  };
}

/** Usage ÷ n (per run), for printing; invocations and counts become fractional. */
export function perRun(usage: Usage, runs: number): Usage {
  const d = (x: number) => x / runs;
  return {
    functions: Object.fromEntries(
      Object.entries(usage.functions).map(([k, f]) => [
        k,
        { invocations: d(f.invocations), billedMs: d(f.billedMs), memoryMb: f.memoryMb },
      ]),
    ),
    sqsRequests: d(usage.sqsRequests),
    dynamodbReadUnits: d(usage.dynamodbReadUnits),
    dynamodbWriteUnits: d(usage.dynamodbWriteUnits),
    stateTransitions: d(usage.stateTransitions),
  };
}

/**
 * DynamoDB request units of one item when the server reports none: reads per 4 KB (0.5 eventually
 * consistent, 1 strongly consistent, 2 transactional), writes per 1 KB (1, 2 transactional).
 */
export function requestUnits(
  kind: 'read' | 'write',
  bytes: number,
  mode: 'eventual' | 'strong' | 'transactional',
): number {
  if (kind === 'read') {
    const blocks = Math.max(1, Math.ceil(bytes / 4096));
    return blocks * (mode === 'eventual' ? 0.5 : mode === 'strong' ? 1 : 2);
  }
  return Math.max(1, Math.ceil(bytes / 1024)) * (mode === 'transactional' ? 2 : 1);
}

/**
 * State transitions of one DailyRun execution, from the states it went through: the Task states
 * run (Plan, each Worker, Legacy, Finish; a retried Task is a transition per attempt), one per
 * failed worker's WorkerFailed Pass state, and the path's control states (ShouldDispatch, the
 * Strategies Map, MergedFlow; Skipped instead when the run does not proceed).
 */
export function dailyRunTransitions(run: {
  readonly taskAttempts: number;
  readonly failedWorkers: number;
  readonly proceeded: boolean;
}): number {
  const control = run.proceeded ? 3 : 2;
  return run.taskAttempts + run.failedWorkers + control;
}
