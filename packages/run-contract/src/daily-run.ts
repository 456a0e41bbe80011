import {
  CapitalPolicyWireSchema,
  FlowSchema,
  MoneySchema,
  RunIdSchema,
  StrategyIdSchema,
  TradingDateSchema,
  WeightSchema,
} from '@books/core';
import { z } from 'zod';

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
});
export type WorkerItem = z.input<typeof WorkerItemSchema>;
export type ParsedWorkerItem = z.output<typeof WorkerItemSchema>;

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
