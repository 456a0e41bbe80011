import type { Quantity, StrategyId, Symbol } from '@books/core';
import { toAttribute } from '../attribute-codec';
import { batchGetEach } from '../batch-get';
import { keys, SK_PREFIX } from '../keys';
import { ABSENT, type LedgerTable, type TransactItem } from '../ledger-table';
import { encodeFlowMarker, type FlowMarker } from '../records/flow-marker';
import {
  decodeMigrationRecord,
  decodeOpenMigration,
  encodeMigrationRecord,
  encodeOpenMigration,
  type MigrationRecord,
  type MigrationStatus,
  migrationRecordKey,
  movedJson,
  type OpenMigration,
} from '../records/migration';

/**
 * A strategy's migrations between the flows (`STRATEGY#{sid}#FLOW`): each one's record, the
 * pointer to the one open, and the writes that open, advance and close it. The writes are
 * transaction items: the migration puts them in the same transaction as the books they move.
 */
export class MigrationRepository {
  constructor(private readonly table: LedgerTable) {}

  /** The strategy's open migration (its pointer), if any. */
  async open(strategyId: StrategyId): Promise<OpenMigration | undefined> {
    const item = await this.table.getItem(keys.openMigration(strategyId));
    return item && decodeOpenMigration(item);
  }

  /** The open migration of each of `strategyIds` that has one, in one batched read. */
  openOf(strategyIds: readonly StrategyId[]): Promise<ReadonlyMap<StrategyId, OpenMigration>> {
    return batchGetEach(this.table, strategyIds, keys.openMigration, decodeOpenMigration);
  }

  async record(ref: Pick<MigrationRecord, 'strategyId' | 'at' | 'id'>): Promise<MigrationRecord | undefined> {
    const item = await this.table.getItem(migrationRecordKey(ref));
    return item && decodeMigrationRecord(item);
  }

  /** The strategy's migration records (with a status: older audit items are skipped), oldest first. */
  async list(strategyId: StrategyId): Promise<MigrationRecord[]> {
    const items = await this.table.queryAll({
      partition: keys.flow(strategyId),
      sort: { beginsWith: SK_PREFIX.migration },
      consistent: true,
    });
    return items.filter((i) => i.status !== undefined).map(decodeMigrationRecord);
  }

  /**
   * Opens a migration: its record (only if absent) and the strategy's pointer (only if no other
   * migration is open), conditional on the flow marker still being the one the plan was made
   * from. One transaction: two attempts racing to open lose all but one.
   */
  openItems(record: MigrationRecord, marker: FlowMarker | undefined): TransactItem[] {
    return [
      {
        kind: 'put',
        label: `migration ${record.id}`,
        item: encodeMigrationRecord(record),
        condition: ABSENT,
      },
      {
        kind: 'put',
        label: `open migration of ${record.strategyId}`,
        item: encodeOpenMigration({
          strategyId: record.strategyId,
          id: record.id,
          direction: record.direction,
          at: record.at,
        }),
        condition: ABSENT,
      },
      markerCheck(record.strategyId, marker),
    ];
  }

  /**
   * One chunk's progress: `chunks_done` moves from the count read to the next, with the
   * quantities moved so far. The last chunk also closes it: status DONE, the pointer deleted
   * and the flow marker set to where the holdings now are (conditional on the marker read).
   */
  advanceItems(
    record: MigrationRecord,
    next: {
      readonly moved: ReadonlyMap<Symbol, Quantity>;
      readonly at: string;
      readonly close?: { readonly marker: FlowMarker; readonly previous: FlowMarker | undefined };
    },
  ): TransactItem[] {
    const status: MigrationStatus = next.close ? 'DONE' : 'OPEN';
    const items: TransactItem[] = [
      {
        kind: 'update',
        label: `migration ${record.id} chunk ${record.chunksDone + 1}`,
        key: migrationRecordKey(record),
        update: 'SET chunks_done = :next, moved_json = :moved, updated_at = :at, #status = :status',
        names: { '#status': 'status' },
        values: {
          ':next': toAttribute(record.chunksDone + 1),
          ':moved': toAttribute(movedJson(next.moved)),
          ':at': toAttribute(next.at),
          ':status': toAttribute(status),
        },
        condition: {
          expression: 'chunks_done = :done AND #status = :open',
          names: { '#status': 'status' },
          values: { ':done': toAttribute(record.chunksDone), ':open': toAttribute('OPEN') },
        },
      },
    ];
    if (!next.close) return items;
    return [
      ...items,
      {
        kind: 'delete',
        label: `open migration of ${record.strategyId}`,
        key: keys.openMigration(record.strategyId),
        condition: { expression: 'migration_id = :id', values: { ':id': toAttribute(record.id) } },
      },
      {
        kind: 'put',
        label: `flow marker ${record.strategyId}`,
        item: encodeFlowMarker(next.close.marker),
        condition: markerCondition(next.close.previous),
      },
    ];
  }
}

/** The marker is still the one read (another migration in between fails the transaction). */
function markerCondition(previous: FlowMarker | undefined) {
  return previous
    ? { expression: 'migration_id = :previous', values: { ':previous': toAttribute(previous.migrationId) } }
    : { expression: 'attribute_not_exists(PK)' };
}

function markerCheck(strategyId: StrategyId, previous: FlowMarker | undefined): TransactItem {
  return {
    kind: 'check',
    label: `flow marker ${strategyId}`,
    key: keys.flowMarker(strategyId),
    condition: markerCondition(previous),
  };
}
