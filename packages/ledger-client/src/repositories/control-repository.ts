import type { StrategyId } from '@books/core';
import { batchGetEach } from '../batch-get';
import { TransactionConditionError } from '../errors';
import { CONTROLS_PARTITION, keys, SK_PREFIX } from '../keys';
import { ABSENT, type Condition, type LedgerTable } from '../ledger-table';
import {
  type ControlChange,
  type DrawdownState,
  decodeControlChange,
  decodeDrawdown,
  encodeControlChange,
  encodeDrawdown,
  encodeLiquidation,
  liquidationRunOf,
} from '../records/controls';

/**
 * The ledger's side of the trader controls: the record of every change (`CONTROLS` / `CHANGE#…`),
 * each book's drawdown state and its done liquidations (`STRATEGY#{sid}#CONTROL`). Every write is
 * conditional, so a retried command or a redelivered run writes nothing twice.
 */
export class ControlRepository {
  constructor(private readonly table: LedgerTable) {}

  /** Records a change once per id; false when it was recorded before. */
  recordChange(change: ControlChange): Promise<boolean> {
    return this.table.putIfAbsent(encodeControlChange(change));
  }

  /** The latest changes, newest first. */
  async changes(limit = 50): Promise<ControlChange[]> {
    const items = await this.table.queryFirst(
      { partition: CONTROLS_PARTITION, sort: { beginsWith: SK_PREFIX.controlChange }, forward: false },
      limit,
    );
    return items.map(decodeControlChange);
  }

  async drawdown(sid: StrategyId): Promise<DrawdownState | undefined> {
    const item = await this.table.getItem(keys.drawdown(sid));
    return item && decodeDrawdown(item);
  }

  /** The drawdown state of each of `sids` that has one, in one batched read. */
  drawdowns(sids: readonly StrategyId[]): Promise<ReadonlyMap<StrategyId, DrawdownState>> {
    return batchGetEach(this.table, sids, keys.drawdown, decodeDrawdown);
  }

  /**
   * Writes a new mark (`previous` is what was read: the write is conditional on it, a
   * VersionConflict-like ConditionFailedError otherwise). Returns the state written.
   */
  async saveMark(
    next: Omit<DrawdownState, 'version' | 'latched'>,
    previous: DrawdownState | undefined,
  ): Promise<DrawdownState> {
    const state: DrawdownState = { ...next, version: (previous?.version ?? 0) + 1 };
    await this.table.put(encodeDrawdown(state), versionCondition(previous));
    return state;
  }

  /**
   * Latches the stop with its change record, in one transaction conditional on the state read.
   * A latch already written by an earlier attempt of the same run is success.
   */
  async latch(
    state: Omit<DrawdownState, 'version'> & { latched: NonNullable<DrawdownState['latched']> },
    previous: DrawdownState | undefined,
    change: ControlChange,
  ): Promise<'latched' | 'already-latched'> {
    if (previous?.latched) return 'already-latched';
    try {
      await this.table.transact([
        {
          kind: 'put',
          label: 'drawdown latch',
          item: encodeDrawdown({ ...state, version: (previous?.version ?? 0) + 1 }),
          condition: versionCondition(previous),
        },
        { kind: 'put', label: 'control change', item: encodeControlChange(change), condition: ABSENT },
      ]);
      return 'latched';
    } catch (e) {
      if (e instanceof TransactionConditionError && (await this.drawdown(state.strategyId))?.latched)
        return 'already-latched';
      throw e;
    }
  }

  /**
   * Records a `books resume S` change, and clears the book's drawdown state only when its stop has
   * latched: the latch and the mark go together (the next run starts a new high-water mark from the
   * book's equity then; kept, the old mark would latch the stop again at once). A resume from a
   * plain pause keeps the mark. The delete is conditional on the latched state read, so a latch
   * written meanwhile is never lost unseen (the resume is tried again on it); a retried command
   * records nothing twice. Returns whether a latch was cleared.
   */
  async resumeBook(sid: StrategyId, change: ControlChange): Promise<'latch-cleared' | 'mark-kept'> {
    for (let attempt = 1; ; attempt++) {
      const state = await this.drawdown(sid);
      if (!state?.latched) {
        await this.recordChange(change);
        return 'mark-kept';
      }
      try {
        await this.table.transact([
          { kind: 'delete', label: 'drawdown', key: keys.drawdown(sid), condition: versionCondition(state) },
          { kind: 'put', label: 'control change', item: encodeControlChange(change), condition: ABSENT },
        ]);
        return 'latch-cleared';
      } catch (e) {
        if (!(e instanceof TransactionConditionError)) throw e;
        // The same change recorded before (a retried command): its clear was done with it.
        if (e.failures.some((f) => f.index === 1)) return 'latch-cleared';
        if (attempt >= RESUME_ATTEMPTS) throw e;
      }
    }
  }

  /**
   * Marks liquidation request `requestId` of the book as done by `runId` (its plan found nothing left to sell),
   * with its change record; once per request. Returns the run that did it.
   */
  async recordLiquidation(
    sid: StrategyId,
    requestId: string,
    runId: string,
    change: ControlChange,
  ): Promise<string> {
    try {
      await this.table.transact([
        {
          kind: 'put',
          label: 'liquidation',
          item: encodeLiquidation({ strategyId: sid, requestId, runId, at: change.at }),
          condition: ABSENT,
        },
        { kind: 'put', label: 'control change', item: encodeControlChange(change), condition: ABSENT },
      ]);
      return runId;
    } catch (e) {
      if (!(e instanceof TransactionConditionError)) throw e;
      const done = await this.liquidation(sid, requestId);
      if (done === undefined) throw e;
      return done;
    }
  }

  /** The run that liquidated the book for request `requestId`, if one did. */
  async liquidation(sid: StrategyId, requestId: string): Promise<string | undefined> {
    const item = await this.table.getItem(keys.liquidation(sid, requestId));
    return item && liquidationRunOf(item);
  }
}

const RESUME_ATTEMPTS = 3;

function versionCondition(previous: DrawdownState | undefined): Condition {
  if (!previous) return ABSENT;
  return {
    expression: '#version = :version',
    names: { '#version': 'version' },
    values: { ':version': { N: String(previous.version) } },
  };
}
