import type { Logger, RunId, TradingDate } from '@books/core';
import { FINAL_STATES } from './intent-state';

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

/**
 * A run is complete when nothing more can trade in it:
 * - the coordinator finished it (DISPATCHED: no worker can still plan or send);
 * - every intent of the run is final (FILLED, REJECTED, CANCELED, EXPIRED);
 * - no strategy is PENDING, and every PLANNED strategy has its plan recorded, no SELL
 *   pending, every SELL executed, and its BUYs executed: sent with the plan when it had no SELLs,
 *   else released (the release marker) and each released BUY executed.
 * Any other status (SKIPPED, FAILED, NOTHING_TO_DO, or one of a flow added later) is final once
 * the run's intents are. A plan's trade with no intent yet is still queued: not complete.
 */
export function runCompletion(run: RunSnapshot): Completion {
  if (run.status !== DISPATCHED) return { complete: false, waitingFor: `the run is ${run.status}` };
  const open = run.intents.find((i) => !FINAL.has(i.state));
  if (open) return { complete: false, waitingFor: `intent ${open.clientOrderId} is ${open.state}` };
  const executed = new Set(run.intents.map((i) => i.clientOrderId));
  for (const s of run.strategies) {
    if (s.status === 'PENDING') return { complete: false, waitingFor: `${s.strategyId} has no plan yet` };
    if (s.status !== 'PLANNED') continue;
    const plan = run.plans.get(s.strategyId);
    if (!plan) return { complete: false, waitingFor: `${s.strategyId} has no plan recorded` };
    if (s.pendingSells > 0)
      return { complete: false, waitingFor: `${s.strategyId} has ${s.pendingSells} SELL(s) pending` };
    const released = plan.sells.length === 0 ? plan.buys : run.releases.get(s.strategyId);
    if (!released) return { complete: false, waitingFor: `${s.strategyId} has its BUYs held` };
    const queued = [...plan.sells, ...released].find((id) => !executed.has(id));
    if (queued) return { complete: false, waitingFor: `${s.strategyId}: ${queued} is queued` };
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
 * After each final trade (and when the coordinator finishes a run): once the run is complete,
 * requests one reconciliation for it. At-least-once callers converge on one request: the
 * conditional marker lets exactly one caller through; if its request fails the marker is removed
 * and the error thrown, so the caller's retry (a redelivered message) asks again.
 */
export class RunCompletion {
  constructor(
    private readonly deps: {
      readonly store: RunCompletionStore;
      readonly reconciliation: ReconciliationRequester;
      readonly clock: { now(): Date };
      readonly logger: Logger;
    },
  ) {}

  async requestIfComplete(runId: RunId): Promise<CompletionResult> {
    const run = await this.deps.store.snapshot(runId);
    if (!run) return 'no-run';
    if (run.reconcileRequested) return 'already-requested';
    const completion = runCompletion(run);
    if (!completion.complete) return 'not-complete';
    const at = this.deps.clock.now().toISOString();
    if (!(await this.deps.store.markReconcileRequested(runId, at))) return 'already-requested';
    try {
      await this.deps.reconciliation.request({ runId, date: run.tradingDate });
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
