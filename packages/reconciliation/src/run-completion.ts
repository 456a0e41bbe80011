import type { Logger, RunId, TradingDate } from '@books/core';
import { BooksError, errorMessage, FINAL_STATES } from '@books/core';
import { type EventPublisher, runCompletedEvent } from '@books/events';

/**
 * A run's items as stored, as much as its completion is decided from. Plans and releases carry
 * client order ids only: every one of them must have reached a final intent.
 */
export interface RunSnapshot {
  readonly runId: RunId;
  readonly tradingDate: TradingDate;
  /** The META item's status: DISPATCHED once the coordinator finished (every worker returned). */
  readonly status: string;
  readonly reconcileRequested: boolean;
  readonly strategies: readonly {
    readonly strategyId: string;
    readonly status: string;
    readonly pendingSells: number;
  }[];
  readonly plans: ReadonlyMap<
    string,
    { readonly sells: readonly string[]; readonly buys: readonly string[] }
  >;
  /** The BUYs each strategy's release sent, by strategy (absent: not released yet). */
  readonly releases: ReadonlyMap<string, readonly string[]>;
  readonly intents: readonly { readonly clientOrderId: string; readonly state: string }[];
}

export type Completion =
  | { readonly complete: true }
  | { readonly complete: false; readonly waitingFor: string };

const FINAL = new Set<string>(FINAL_STATES);
/** The coordinator's finish phase: every strategy worker has returned. */
const DISPATCHED = 'DISPATCHED';

/** Whether an intent in `state` is final (FILLED, REJECTED, CANCELED, EXPIRED): nothing more happens to its order. */
export function isFinalIntentState(state: string): boolean {
  return FINAL.has(state);
}

/**
 * What a strategy's stored run status says of its completion. Every status written:
 *
 *   (coordinator) PENDING ──worker──▶ PLANNED | NOTHING_TO_DO | FAILED | SIGNALLED
 *                 SKIPPED (not enabled for the run)
 *
 * - waiting: PENDING, no plan yet;
 * - trading: PLANNED, its plan's trades decide;
 * - done: NOTHING_TO_DO, FAILED, SKIPPED, SIGNALLED (a legacy-flow strategy: the LEGACY book trades
 *   its signal).
 * Nothing writes TRADED: a PLANNED strategy whose trades are all final is complete as it is. Any
 * other status is unknown, and not complete: a flow added later must say what its status means.
 */
export const STRATEGY_RUN_STATUS_STAGES: Readonly<Record<string, 'waiting' | 'trading' | 'done'>> = {
  PENDING: 'waiting',
  PLANNED: 'trading',
  NOTHING_TO_DO: 'done',
  FAILED: 'done',
  SKIPPED: 'done',
  SIGNALLED: 'done',
};

/** One strategy of a run, as much as its completion is decided from. */
export interface StrategyProgress {
  readonly strategyId: string;
  readonly status: string;
  readonly pendingSells: number;
  /** The client order ids of its recorded plan; absent when no plan is recorded. */
  readonly plan?: { readonly sells: readonly string[]; readonly buys: readonly string[] };
  /** The client order ids of the BUYs its release sent; absent while not released. */
  readonly released?: readonly string[];
}

/**
 * Whether nothing more can trade for one strategy of a run, given the state of the run's intents
 * by client order id. A PLANNED strategy is complete when its plan is recorded, no SELL is
 * pending, and every SELL and every BUY it sent is executed to a final intent: the BUYs sent with
 * the plan when it had no SELLs, else those its release sent (the release marker); a trade with
 * no intent yet is still queued. `waitingFor` does not name the strategy.
 */
export function strategyCompletion(
  strategy: StrategyProgress,
  intents: ReadonlyMap<string, string>,
): Completion {
  const stage = STRATEGY_RUN_STATUS_STAGES[strategy.status];
  if (stage === 'done') return { complete: true };
  if (stage === 'waiting') return { complete: false, waitingFor: 'no plan yet' };
  if (stage === undefined) return { complete: false, waitingFor: `unknown status ${strategy.status}` };
  const { plan } = strategy;
  if (!plan) return { complete: false, waitingFor: 'no plan recorded' };
  if (strategy.pendingSells > 0)
    return { complete: false, waitingFor: `${strategy.pendingSells} SELL(s) pending` };
  const released = plan.sells.length === 0 ? plan.buys : strategy.released;
  if (!released) return { complete: false, waitingFor: 'BUYs held until the SELLs are done' };
  for (const id of [...plan.sells, ...released]) {
    const state = intents.get(id);
    if (state === undefined) return { complete: false, waitingFor: `${id} is queued` };
    if (!isFinalIntentState(state)) return { complete: false, waitingFor: `${id} is ${state}` };
  }
  return { complete: true };
}

/**
 * A run is complete when nothing more can trade in it:
 * - the coordinator finished it (DISPATCHED: no worker can still plan or send);
 * - every intent of the run is final (whichever strategy it belongs to, planned or not);
 * - every strategy is complete (`strategyCompletion`).
 * The one rule of completion: execution requests the run's reconciliation by it, and `books runs`
 * reports a run COMPLETE by it.
 */
export function runCompletion(
  run: Pick<RunSnapshot, 'status' | 'strategies' | 'plans' | 'releases' | 'intents'>,
): Completion {
  if (run.status !== DISPATCHED) return { complete: false, waitingFor: `the run is ${run.status}` };
  const open = run.intents.find((i) => !isFinalIntentState(i.state));
  if (open) return { complete: false, waitingFor: `intent ${open.clientOrderId} is ${open.state}` };
  const states = new Map(run.intents.map((i) => [i.clientOrderId, i.state]));
  for (const s of run.strategies) {
    const plan = run.plans.get(s.strategyId);
    const released = run.releases.get(s.strategyId);
    const completion = strategyCompletion(
      {
        strategyId: s.strategyId,
        status: s.status,
        pendingSells: s.pendingSells,
        ...(plan ? { plan } : {}),
        ...(released ? { released } : {}),
      },
      states,
    );
    if (!completion.complete)
      return { complete: false, waitingFor: `${s.strategyId}: ${completion.waitingFor}` };
  }
  return { complete: true };
}

export interface RunCompletionStore {
  /** The run's items (strongly consistent); undefined when there is no such run. */
  snapshot(runId: RunId): Promise<RunSnapshot | undefined>;
  /** Sets the run's RECONCILE_REQUESTED marker unless set: true only for the caller that set it. */
  markReconcileRequested(runId: RunId, at: string): Promise<boolean>;
  /** Removes the marker this caller set (`at`), so that a retry asks again. */
  clearReconcileRequested(runId: RunId, at: string): Promise<void>;
}

export interface ReconciliationRequester {
  /** Asks for one reconciliation of the account after the run (asynchronous where deployed). */
  request(run: { readonly runId: RunId; readonly date: TradingDate }): Promise<void>;
}

export type CompletionResult = 'requested' | 'already-requested' | 'not-complete' | 'no-run';

/**
 * A run's completion (its outbox, reconciliation request, RunCompleted) failed at the coordinator's
 * finish: the marker is cleared, and the Finish task fails under this name so that DailyRun retries
 * it (serverless.yml: Finish's Retry), which completes the run again: nothing else would.
 */
export class RunCompletionFailed extends BooksError {
  static override readonly errorName: string = 'RunCompletionFailed';
  constructor(runId: RunId, cause: unknown) {
    super(
      'RUN_COMPLETION_FAILED',
      `run ${runId}: completion failed: ${errorMessage(cause)}`,
      { runId },
      { cause },
    );
  }
}

/**
 * After each final trade (and when the coordinator finishes a run): once the run is complete,
 * requests one reconciliation for it. At-least-once callers converge on one request: the
 * conditional marker lets exactly one caller through; if its request fails the marker is removed
 * and the error thrown, so the caller's retry (a redelivered message) asks again.
 *
 * With `events`, the caller the marker lets through first publishes what the run's outbox still
 * holds (its fills' TradeExecuted), then requests the reconciliation, then publishes the run's
 * RunCompleted (id `RunCompleted:{runId}`; where the reconciliation runs in process, its breaks are
 * recorded before a digest reads them): a failure of any step removes the marker and throws, and
 * the retry does them again (same event ids; one more reconciliation is harmless).
 */
export class RunCompletion {
  constructor(
    private readonly deps: {
      readonly store: RunCompletionStore;
      readonly reconciliation: ReconciliationRequester;
      readonly clock: { now(): Date };
      readonly logger: Logger;
      readonly events?: {
        readonly stage: string;
        readonly publisher: EventPublisher;
        /** Publishes the run's pending outbox events. */
        readonly drain: (runId: RunId) => Promise<unknown>;
      };
    },
  ) {}

  async requestIfComplete(runId: RunId): Promise<CompletionResult> {
    return this.begin(runId).requestIfComplete();
  }

  /**
   * Starts reading the run now, and decides on that read when asked: a caller with other work to
   * do first (execution publishing its batch's outbox, which changes nothing the read reads) sends
   * the read beside it instead of after it. The read must start after every write whose outcome
   * the decision is to see (the caller's last trade recorded); the decision's own steps (the
   * marker, the request, RunCompleted) all come after `requestIfComplete()` is called.
   */
  begin(runId: RunId): { requestIfComplete(): Promise<CompletionResult> } {
    const read = this.deps.store.snapshot(runId);
    // Awaited by the decision; a caller that fails first never asks for it.
    read.catch(() => undefined);
    return { requestIfComplete: () => this.decide(runId, read) };
  }

  private async decide(runId: RunId, read: Promise<RunSnapshot | undefined>): Promise<CompletionResult> {
    const run = await read;
    if (!run) return 'no-run';
    if (run.reconcileRequested) return 'already-requested';
    const completion = runCompletion(run);
    if (!completion.complete) return 'not-complete';
    const at = this.deps.clock.now().toISOString();
    if (!(await this.deps.store.markReconcileRequested(runId, at))) return 'already-requested';
    try {
      const { events } = this.deps;
      await events?.drain(runId);
      await this.deps.reconciliation.request({ runId, date: run.tradingDate });
      await events?.publisher.publish([
        runCompletedEvent({ stage: events.stage, occurredAt: at }, { runId, tradingDate: run.tradingDate }),
      ]);
    } catch (e) {
      await this.deps.store.clearReconcileRequested(runId, at);
      throw e;
    }
    this.deps.logger.info(
      { event: 'reconciliation-requested', runId, date: run.tradingDate },
      `run ${runId} complete: reconciliation requested`,
    );
    return 'requested';
  }
}
