import { ConcurrencyError, type RunId, type StrategyId, ValidationError } from '@books/core';
import { toAttribute } from '../attribute-codec';
import { ConditionFailedError, TransactionConditionError, TransactionConflictError } from '../errors';
import { canonicalInstant } from '../instant';
import { keys, RUN_META, SK_PREFIX } from '../keys';
import { ABSENT, type LedgerTable, MAX_TRANSACTION_ITEMS, type TransactItem } from '../ledger-table';
import { decodeIntent, type OrderIntent } from '../records/intent';
import {
  decodeRunMeta,
  decodeRunStrategy,
  encodeRunMeta,
  encodeRunStrategy,
  type RunMeta,
  type RunStrategy,
} from '../records/run';
import {
  assertInitialStrategyRunStatus,
  assertRunTransition,
  assertStrategyRunTransition,
  INITIAL_RUN_STATUS,
  InvalidStatusTransitionError,
  type RunStatus,
  RunStatusSchema,
  type StrategyRunStatus,
  StrategyRunStatusSchema,
} from '../records/run-status';

const CONFLICT_ATTEMPTS = 4;

/** Another creator holds the run lock: the run's META item already exists. */
export class RunAlreadyExistsError extends ConcurrencyError {
  static override readonly errorName: string = 'RunAlreadyExistsError';
  constructor(
    readonly runId: RunId,
    options?: { cause?: unknown },
  ) {
    super(`run ${runId} already exists`, { runId }, options);
  }
}

/** A status transition found another status than `from`. */
export class StatusConflictError extends ConcurrencyError {
  static override readonly errorName: string = 'StatusConflictError';
  constructor(
    readonly what: string,
    readonly expected: string,
    readonly actual: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `${what}: expected status ${expected}, found ${actual ?? 'no item'}`,
      { what, expected, actual },
      options,
    );
  }
}

export interface RunItems {
  readonly meta: RunMeta;
  readonly strategies: readonly RunStrategy[];
  readonly intents: readonly OrderIntent[];
}

/** A strategy's move within a run: `from → to` must be a pair of the lifecycle (run-status). */
export interface StrategyTransition {
  readonly from: StrategyRunStatus;
  readonly to: StrategyRunStatus;
  readonly at: string;
  readonly patch?: RunStrategyPatch;
}

/** Optional fields a strategy transition may set beside its status. */
export interface RunStrategyPatch {
  readonly pendingSells?: number;
  readonly heldBuys?: RunStrategy['heldBuys'];
  readonly skipReason?: string;
  readonly error?: string;
  readonly notDue?: string;
}

/** Runs (`RUN#{runId}`): the META item is the run lock; one item per strategy; intents live beside them. */
export class RunRepository {
  constructor(private readonly table: LedgerTable) {}

  /**
   * Takes the run lock and records its strategies. The lock (META) is written in one transaction
   * with the first 99 strategies; of concurrent creators exactly one succeeds, the others get
   * RunAlreadyExistsError and nothing of theirs is written. Further strategies follow in
   * transactions of up to 100 items. A creator that stops between chunks (a crash, a timeout)
   * leaves a run with some strategies missing: `addMissingStrategies` by a retry of the same
   * trigger completes it.
   */
  async createRun(
    meta: RunMeta,
    strategies: readonly RunStrategy[],
    options: { clientRequestToken?: string } = {},
  ): Promise<void> {
    if (meta.status !== INITIAL_RUN_STATUS)
      throw new InvalidStatusTransitionError('run', '(none)', meta.status);
    const inLock = strategies.slice(0, MAX_TRANSACTION_ITEMS - 1);
    const items: TransactItem[] = [
      { kind: 'put', label: `run ${meta.runId} (lock)`, item: encodeRunMeta(meta), condition: ABSENT },
      ...inLock.map((s) => strategyPut(meta.runId, s)),
    ];
    // A conflict with another creator's transaction in flight is retried: the retry then meets
    // the winner's META and fails its condition, or takes the lock if the other creator failed.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.table.transact(items, options);
        break;
      } catch (e) {
        if (e instanceof TransactionConditionError && e.failures.some((f) => f.index === 0))
          throw new RunAlreadyExistsError(meta.runId, { cause: e });
        if (!(e instanceof TransactionConflictError) || attempt >= CONFLICT_ATTEMPTS) throw e;
        await pause(attempt);
      }
    }
    await this.addMissingStrategies(meta.runId, strategies.slice(inLock.length));
  }

  /**
   * Writes the run's strategy items that do not exist yet, in transactions of up to 100; items
   * already there (perhaps moved on by their workers) are left as they are. Idempotent. Returns
   * how many items it wrote.
   */
  async addMissingStrategies(runId: RunId, strategies: readonly RunStrategy[]): Promise<number> {
    let written = 0;
    for (let from = 0; from < strategies.length; from += MAX_TRANSACTION_ITEMS) {
      let pending = strategies.slice(from, from + MAX_TRANSACTION_ITEMS).map((s) => strategyPut(runId, s));
      for (let attempt = 1; pending.length > 0; attempt++) {
        try {
          await this.table.transact(pending);
          written += pending.length;
          break;
        } catch (e) {
          if (e instanceof TransactionConditionError) {
            const present = new Set(e.failures.map((f) => f.index));
            pending = pending.filter((_, i) => !present.has(i));
            continue;
          }
          if (!(e instanceof TransactionConflictError) || attempt >= CONFLICT_ATTEMPTS) throw e;
          await pause(attempt);
        }
      }
    }
    return written;
  }

  async getMeta(runId: RunId): Promise<RunMeta | undefined> {
    const item = await this.table.getItem(keys.runMeta(runId));
    return item && decodeRunMeta(item);
  }

  /** Every item of a run (all pages, strongly consistent); undefined when the run does not exist. */
  async listRunItems(runId: RunId): Promise<RunItems | undefined> {
    const items = await this.table.queryAll({ partition: keys.run(runId), consistent: true });
    let meta: RunMeta | undefined;
    const strategies: RunStrategy[] = [];
    const intents: OrderIntent[] = [];
    for (const item of items) {
      const sk = item.SK?.S ?? '';
      if (sk === RUN_META) meta = decodeRunMeta(item);
      else if (sk.startsWith(SK_PREFIX.runStrategy)) strategies.push(decodeRunStrategy(item));
      else if (sk.startsWith(SK_PREFIX.intent)) intents.push(decodeIntent(item));
    }
    return meta && { meta, strategies, intents };
  }

  /** Moves the run from status `from` to `to`; StatusConflictError when it is not at `from`. */
  async transitionRun(
    runId: RunId,
    transition: { from: RunStatus; to: RunStatus; at: string; planJson?: string },
  ): Promise<RunMeta> {
    assertRunTransition(transition.from, transition.to);
    const set: Record<string, string> = {
      status: RunStatusSchema.parse(transition.to),
      updated_at: canonicalInstant(transition.at),
    };
    if (transition.planJson !== undefined) set.plan_json = transition.planJson;
    const item = statusUpdate(
      `run ${runId}`,
      keys.runMeta(runId),
      RunStatusSchema.parse(transition.from),
      set,
    );
    try {
      return decodeRunMeta(await this.table.update(item));
    } catch (e) {
      throw statusConflict(e, `run ${runId}`, transition.from);
    }
  }

  /** Moves one strategy of a run from `from` to `to`, setting `patch`; StatusConflictError otherwise. */
  async transitionStrategy(
    runId: RunId,
    strategyId: StrategyId,
    transition: StrategyTransition,
  ): Promise<RunStrategy> {
    const what = `run ${runId} strategy ${strategyId}`;
    try {
      return decodeRunStrategy(
        await this.table.update(this.transitionStrategyItem(runId, strategyId, transition)),
      );
    } catch (e) {
      throw statusConflict(e, what, transition.from);
    }
  }

  transitionStrategyItem(
    runId: RunId,
    strategyId: StrategyId,
    transition: StrategyTransition,
  ): Extract<TransactItem, { kind: 'update' }> {
    assertStrategyRunTransition(transition.from, transition.to);
    const p = transition.patch ?? {};
    const set: Record<string, string | number | string[]> = {
      status: StrategyRunStatusSchema.parse(transition.to),
      updated_at: canonicalInstant(transition.at),
    };
    if (p.pendingSells !== undefined) set.pending_sells = p.pendingSells;
    if (p.heldBuys !== undefined) set.held_buys = [...p.heldBuys];
    if (p.skipReason !== undefined) set.skip_reason = p.skipReason;
    if (p.error !== undefined) set.error = p.error;
    if (p.notDue !== undefined) set.not_due = p.notDue;
    return statusUpdate(
      `run ${runId} strategy ${strategyId}`,
      keys.runStrategy(runId, strategyId),
      StrategyRunStatusSchema.parse(transition.from),
      set,
    );
  }

  /**
   * Counts one SELL of the strategy as done (pending_sells − 1, never below zero), for the fill's
   * transaction. The caller releases the held BUYs once the count reaches zero.
   */
  sellDoneItem(runId: RunId, strategyId: StrategyId, at: string): TransactItem {
    return {
      kind: 'update',
      label: `run ${runId} strategy ${strategyId} (sell done)`,
      key: keys.runStrategy(runId, strategyId),
      update: 'SET #pending = #pending - :one, #updated = :at',
      names: { '#pending': 'pending_sells', '#updated': 'updated_at' },
      values: { ':one': { N: '1' }, ':at': { S: canonicalInstant(at) } },
      condition: { expression: '#pending > :zero', values: { ':zero': { N: '0' } } },
    };
  }
}

/** A run's strategy item, written only if absent (PENDING or SKIPPED). */
function strategyPut(runId: RunId, s: RunStrategy): TransactItem {
  assertInitialStrategyRunStatus(s.status);
  if (s.runId !== runId)
    throw new ValidationError(`strategy ${s.strategyId} belongs to run ${s.runId}, not ${runId}`, [
      { path: 'runId', message: s.runId },
    ]);
  return {
    kind: 'put',
    label: `run ${runId} strategy ${s.strategyId}`,
    item: encodeRunStrategy(s),
    condition: ABSENT,
  };
}

function pause(attempt: number): Promise<void> {
  return new Promise((r) => setTimeout(r, 25 * attempt));
}

function statusUpdate(
  label: string,
  key: { PK: string; SK: string },
  from: string,
  set: Record<string, string | number | string[]>,
): Extract<TransactItem, { kind: 'update' }> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, ReturnType<typeof toAttribute>> = { ':from': { S: from } };
  const sets = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = toAttribute(value, name);
    return `#s${i} = :s${i}`;
  });
  return {
    kind: 'update',
    label,
    key,
    update: `SET ${sets.join(', ')}`,
    names,
    values,
    condition: { expression: '#status = :from' },
  };
}

function statusConflict(e: unknown, what: string, expected: string): unknown {
  if (!(e instanceof ConditionFailedError)) return e;
  const actual = e.current?.status;
  return new StatusConflictError(what, expected, typeof actual === 'string' ? actual : undefined, {
    cause: e,
  });
}
