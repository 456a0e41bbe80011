import type { StrategyId } from '@books/core';
import { batchGetEach } from '../batch-get';
import { SK_PREFIX } from '../keys';
import type { LedgerTable } from '../ledger-table';
import { decodeFlowMarker, type FlowMarker, flowMarkerKey } from '../records/flow-marker';
import {
  decodeLegacySignals,
  encodeLegacySignals,
  LEGACY_SIGNALS_PARTITION,
  type LegacySignals,
  legacySignalsKey,
} from '../records/legacy-signals';

/** The legacy flow's merged signals per run, and each strategy's flow marker. */
export class LegacyRepository {
  constructor(private readonly table: LedgerTable) {}

  /**
   * Records a run's merged signals once: a retry (or a concurrent duplicate) gets the signals the
   * first writer stored, so every attempt plans from the same merge.
   */
  async putSignals(signals: LegacySignals): Promise<LegacySignals> {
    if (await this.table.putIfAbsent(encodeLegacySignals(signals))) return signals;
    const stored = await this.signalsOf(signals.tradingDate, signals.runId);
    if (!stored) throw new Error(`legacy signals of ${signals.runId} vanished after a conditional write`);
    return stored;
  }

  async signalsOf(tradingDate: string, runId: string): Promise<LegacySignals | undefined> {
    const item = await this.table.getItem(legacySignalsKey(tradingDate, runId));
    return item && decodeLegacySignals(item);
  }

  /** The latest merged signals of a run strictly before `tradingDate` (or the latest of all). */
  async latestSignals(before?: string): Promise<LegacySignals | undefined> {
    // `RUN#{date}#{runId}` sorts after `RUN#{date}`: the upper bound excludes `before` itself.
    const [item] = await this.table.queryFirst(
      {
        partition: LEGACY_SIGNALS_PARTITION,
        sort: before
          ? { between: [SK_PREFIX.legacySignals, `${SK_PREFIX.legacySignals}${before}`] }
          : { beginsWith: SK_PREFIX.legacySignals },
        forward: false,
      },
      1,
    );
    return item && decodeLegacySignals(item);
  }

  async flowMarker(strategyId: StrategyId): Promise<FlowMarker | undefined> {
    const item = await this.table.getItem(flowMarkerKey(strategyId));
    return item && decodeFlowMarker(item);
  }

  /** The flow marker of each of `strategyIds` that has one, in one batched read. */
  flowMarkers(strategyIds: readonly StrategyId[]): Promise<ReadonlyMap<StrategyId, FlowMarker>> {
    return batchGetEach(this.table, strategyIds, flowMarkerKey, decodeFlowMarker);
  }
}
