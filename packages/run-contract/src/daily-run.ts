import {
  CapitalPolicyWireSchema,
  FlowSchema,
  MoneySchema,
  RunIdSchema,
  StrategyIdSchema,
  TradingDateSchema,
  WeightSchema,
} from '@books/core';
import * as z from 'zod';

/**
 * The payloads of the DailyRun state machine (serverless.yml), one schema each: the Lambda
 * packages never import each other, they all import this. A producer writes the schema's input
 * (`z.input`: plain JSON, decimals as strings); a consumer parses with the schema and gets its
 * output (`z.output`: branded ids, decimal values).
 *
 *   Plan (coordinator)  {phase: plan, executionId, trigger}          → PlanResult   ($.plan)
 *   Strategies (Map over $.plan.items: WorkerItem)
 *     Worker (strategyWorker)                                          → WorkerResult
 *     WorkerFailed (Pass, when the worker threw)  {strategyId, outcome: FAILED, error}
 *                                                       each a MapOutcome ($.outcomes)
 *   Legacy (legacy, when $.plan.legacy)  {runId, legacy: MergedFlowPlan, outcomes} → LegacyResult
 *   Finish (coordinator)  {phase: finish, runId, outcomes}            → FinishResult
 */

const MergedFlowSchema = z.enum(['legacy', 'shadow']);

/** The capital policy as JSON, decimals as strings (parse with capitalPolicyFromWire). */
const CapitalPolicySchema = CapitalPolicyWireSchema;

/** One Map item: everything a strategy worker needs, so that workers never reload the config. */
export const WorkerItemSchema = z.object({
  runId: RunIdSchema,
  strategyId: StrategyIdSchema,
  file: z.string().min(1),
  allocation: WeightSchema,
  flow: FlowSchema.default('per-strategy'),
  asOf: TradingDateSchema,
  accountEquity: MoneySchema,
  plannedAt: z.string(),
  capitalPolicy: CapitalPolicySchema,
  minTradeNotional: MoneySchema,
  dryRun: z.boolean().default(false),
  /**
   * The most this run pays into the book from the unallocated pool (the coordinator's grant, decided
   * in the run's snapshot: `grantTopUps`); absent, the pool's conditional write is the only cap.
   */
  topUpLimit: MoneySchema.optional(),
  /** The share of the book's capital its plan leaves in cash (the config's `cashReserve`). */
  cashReserve: WeightSchema.optional(),
  /**
   * Sell the book to cash (a `books liquidate` request, or a drawdown stop set to liquidate): the
   * plan sells every lot and buys nothing; the request is recorded done once its plan is recorded.
   */
  liquidate: z.object({ requestId: z.string().min(1), why: z.string() }).optional(),
  /** The most this book trades in this run (its own cap and its share of the account's). */
  dailyNotionalCap: MoneySchema.optional(),
  /** The book's drawdown stop (config `limits.drawdownStop`). */
  drawdownStop: z.object({ maxDrawdown: WeightSchema, action: z.enum(['liquidate', 'pause']) }).optional(),
});
export type WorkerItem = z.input<typeof WorkerItemSchema>;
export type ParsedWorkerItem = z.output<typeof WorkerItemSchema>;

/**
 * The fields of a Map item that every strategy of a run shares: DailyRun carries them once, in the
 * Plan state's output (`$.plan.run`), not in each of `$.plan.items`, so that the run's state does
 * not grow with them per strategy (Step Functions' 256 KiB payload limit).
 */
const RUN_WIDE_FIELDS = {
  runId: true,
  asOf: true,
  accountEquity: true,
  plannedAt: true,
  capitalPolicy: true,
  minTradeNotional: true,
  dryRun: true,
} as const;
export const RunWideSchema = WorkerItemSchema.pick(RUN_WIDE_FIELDS);
/** What differs per strategy: one element of the Plan state's `items`. */
export const StrategyItemSchema = WorkerItemSchema.omit(RUN_WIDE_FIELDS);
export type RunWide = z.input<typeof RunWideSchema>;
export type StrategyItem = z.input<typeof StrategyItemSchema>;

/**
 * A strategy worker's event from DailyRun's Map: its ItemSelector (serverless.yml) passes the
 * plan's run-wide fields and the strategy's item; together they are the strategy's WorkerItem.
 */
export const MapWorkerEventSchema = z.object({ run: RunWideSchema, item: StrategyItemSchema });
export type MapWorkerEvent = z.input<typeof MapWorkerEventSchema>;

/** The WorkerItem a Map event stands for. */
export function workerItemOf(event: z.output<typeof MapWorkerEventSchema>): ParsedWorkerItem {
  return { ...event.run, ...event.item };
}

/** What the merged flow (DailyRun's Legacy state: aggregator and legacy planner) needs of the run. */
export const MergedFlowPlanSchema = z.object({
  asOf: TradingDateSchema,
  accountEquity: MoneySchema,
  plannedAt: z.string(),
  capitalPolicy: CapitalPolicySchema,
  minTradeNotional: MoneySchema,
  dryRun: z.boolean().default(false),
  /** Every strategy of the merged flow, dispatched or not (a strategy not heard from holds). */
  strategies: z.array(
    z.object({ strategyId: StrategyIdSchema, allocation: WeightSchema, flow: MergedFlowSchema }),
  ),
  /** The books the legacy book must never trade from. */
  perStrategyIds: z.array(StrategyIdSchema),
  /** The most this run pays into the LEGACY book from the pool (as `WorkerItem.topUpLimit`). */
  topUpLimit: MoneySchema.optional(),
  /** As `WorkerItem.cashReserve`, for the LEGACY book. */
  cashReserve: WeightSchema.optional(),
});
export type MergedFlowPlan = z.input<typeof MergedFlowPlanSchema>;

/** The Plan state's result: `proceed` chooses between the Map and Skipped. */
export const PlanResultSchema = z.discriminatedUnion('proceed', [
  z.object({
    proceed: z.literal(false),
    reason: z.string(),
    runId: z.string().optional(),
    problems: z.array(z.string()).optional(),
  }),
  z.object({
    proceed: z.literal(true),
    runId: z.string(),
    items: z.array(WorkerItemSchema),
    warnings: z.array(z.string()),
    /** Present when some strategy is on the merged flow (legacy or shadow): DailyRun's Legacy state. */
    legacy: MergedFlowPlanSchema.optional(),
  }),
]);
export type PlanResult = z.input<typeof PlanResultSchema>;

/**
 * The Plan state's output as DailyRun carries it (`$.plan`): a PlanResult whose items are split
 * into the run-wide fields, once (`run`, absent only when no strategy is dispatched), and each
 * strategy's own (`items`).
 */
export const PlanStateSchema = z.discriminatedUnion('proceed', [
  PlanResultSchema.options[0],
  PlanResultSchema.options[1].extend({
    run: RunWideSchema.optional(),
    items: z.array(StrategyItemSchema),
  }),
]);
export type PlanState = z.input<typeof PlanStateSchema>;

/** Splits a PlanResult's items into the run-wide fields and each strategy's (PlanState). */
export function planStateOf(result: PlanResult): PlanState {
  if (!result.proceed) return result;
  const { items, ...rest } = result;
  const [first] = items;
  return {
    ...rest,
    ...(first === undefined ? {} : { run: pickRunWide(first) }),
    items: items.map((item) => {
      if (first !== undefined && JSON.stringify(pickRunWide(item)) !== JSON.stringify(pickRunWide(first)))
        throw new Error(`the Map items of run ${result.runId} differ in their run-wide fields`);
      return ownFields(item);
    }),
  };
}

/** An item without its run-wide fields (whatever else it holds stays). */
function ownFields(item: WorkerItem): StrategyItem {
  const {
    runId: _runId,
    asOf: _asOf,
    accountEquity: _accountEquity,
    plannedAt: _plannedAt,
    capitalPolicy: _capitalPolicy,
    minTradeNotional: _minTradeNotional,
    dryRun: _dryRun,
    ...own
  } = item;
  return own;
}

function pickRunWide(item: WorkerItem): RunWide {
  const { runId, asOf, accountEquity, plannedAt, capitalPolicy, minTradeNotional, dryRun } = item;
  return {
    runId,
    asOf,
    accountEquity,
    plannedAt,
    capitalPolicy,
    minTradeNotional,
    ...(dryRun === undefined ? {} : { dryRun }),
  };
}

/** A legacy or shadow strategy's partial signal: its weights × its allocation, for the aggregator. */
export const WorkerSignalSchema = z.object({
  flow: MergedFlowSchema,
  allocation: WeightSchema,
  weights: z.record(z.string(), WeightSchema),
  contributions: z.record(z.string(), WeightSchema),
  rebalanceThreshold: WeightSchema.optional(),
});

export const WORKER_OUTCOMES = ['PLANNED', 'NOTHING_TO_DO', 'DRY_RUN', 'SIGNALLED', 'FAILED'] as const;

/** A strategy worker's result, as the Map keeps it (plain JSON). */
export const WorkerResultSchema = z.object({
  strategyId: StrategyIdSchema,
  outcome: z.enum(WORKER_OUTCOMES),
  reason: z.string().optional(),
  /** SIGNALLED (legacy and shadow flows): the partial signal the aggregator merges. */
  signal: WorkerSignalSchema.optional(),
  targets: z.record(z.string(), z.string()).optional(),
  capital: z.string().optional(),
  sells: z.array(z.string()).optional(),
  buys: z.array(z.string()).optional(),
  suppressed: z.array(z.string()).optional(),
});
export type WorkerResult = z.input<typeof WorkerResultSchema>;

/**
 * What DailyRun's Map keeps of a worker's result: what Finish (the outcome, the reason) and the
 * Legacy state (a signal) read. The plan's details (targets, capital, trades) are in the ledger's
 * stored plan and the worker's log; kept per strategy in the run's state, they would grow it with
 * the strategy count.
 */
export function mapOutcomeOf(result: WorkerResult): WorkerResult {
  const { strategyId, outcome, reason, signal } = result;
  return {
    strategyId,
    outcome,
    ...(reason === undefined ? {} : { reason }),
    ...(signal === undefined ? {} : { signal }),
  };
}

/**
 * One element of the Map's result: a worker's result, or what the WorkerFailed state records when
 * the worker itself failed (`outcome: FAILED` with the Catch's `error`).
 */
export const MapOutcomeSchema = WorkerResultSchema.extend({
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type MapOutcome = z.input<typeof MapOutcomeSchema>;
export type ParsedMapOutcome = z.output<typeof MapOutcomeSchema>;

/** Why a strategy did not plan: the worker's reason, else the error its failure was caught with. */
export function failureReasonOf(outcome: ParsedMapOutcome): string | undefined {
  if (outcome.reason !== undefined) return outcome.reason;
  if (outcome.error) return `${outcome.error.Error ?? 'Error'}: ${outcome.error.Cause ?? ''}`;
  return undefined;
}

/** The Legacy state's input (its Parameters in serverless.yml). */
export const LegacyEventSchema = z.object({
  runId: RunIdSchema,
  legacy: MergedFlowPlanSchema,
  outcomes: z.array(MapOutcomeSchema).default([]),
});
export type LegacyEvent = z.input<typeof LegacyEventSchema>;

/** The Legacy state's result ($.legacy). */
export const LegacyResultSchema = z.object({
  runId: z.string(),
  outcome: z.string(),
  sent: z.number().int().nonnegative(),
  resumed: z.boolean(),
  reason: z.string().optional(),
  strategies: z.array(
    z.object({ strategyId: z.string(), status: z.string(), reason: z.string().optional() }),
  ),
});
export type LegacyResult = z.input<typeof LegacyResultSchema>;

/** The coordinator's input: DailyRun's Plan state, or its Finish state. */
export const CoordinatorEventSchema = z.discriminatedUnion('phase', [
  z.object({
    phase: z.literal('plan'),
    executionId: z.string().min(1).default('manual'),
    /** The execution's input: a schedule's `{trigger}`, or a manual `{tradingDate, dryRun}`. */
    trigger: z
      .looseObject({ tradingDate: TradingDateSchema.optional(), dryRun: z.boolean().optional() })
      .optional(),
  }),
  z.object({ phase: z.literal('finish'), runId: RunIdSchema, outcomes: z.array(MapOutcomeSchema) }),
]);
export type CoordinatorEvent = z.input<typeof CoordinatorEventSchema>;

/** The Finish state's result: the run dispatched, with each strategy's outcome. */
export const FinishResultSchema = z.object({
  runId: z.string(),
  status: z.literal('DISPATCHED'),
  outcomes: z.array(z.object({ strategyId: z.string(), outcome: z.string(), reason: z.string().optional() })),
});
export type FinishResult = z.input<typeof FinishResultSchema>;
