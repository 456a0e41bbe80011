import { BooksError, Decimal, type Flow, LEGACY, type StrategyId, type Symbol } from '@books/core';
import {
  type BookRepository,
  encodeFlowMarker,
  encodeMigrationAudit,
  type FlowMarker,
  type LedgerTable,
  type LegacyRepository,
  type LoadedBook,
  loadBook,
  MAX_TRANSACTION_ITEMS,
  type TransactItem,
  TransactionConditionError,
  transferItems,
} from '@books/ledger-client';
import type { AssetInfo, LotChange, Transfer } from '@books/portfolio';
import type { FlowFlags } from '@books/runtime';
import { carveOut, carveShares, foldBack, type Migration } from './carve';

export interface MigrateDeps {
  readonly table: LedgerTable;
  readonly books: BookRepository;
  readonly legacy: LegacyRepository;
  readonly flows: FlowFlags;
  readonly assets: (symbols: readonly Symbol[]) => Promise<ReadonlyMap<Symbol, AssetInfo>>;
}

export interface MigrateRequest {
  readonly strategyId: StrategyId;
  readonly to: 'per-strategy' | 'legacy';
  /** The flow the flag is set to afterwards (`legacy` or `shadow` for a fold-back). */
  readonly flag: Flow;
  readonly dryRun: boolean;
  /** ISO instant of the migration (injected clock). */
  readonly at: string;
}

export interface MigrateResult {
  readonly strategyId: StrategyId;
  readonly to: 'per-strategy' | 'legacy';
  /** `migrated`; `already` when an earlier run of this command moved the holdings (only the flag was set). */
  readonly status: 'migrated' | 'already' | 'dry-run';
  readonly migration?: Migration;
  /** The legacy run whose contributions gave the carve-out's shares. */
  readonly fromRun?: string;
  readonly flag: { readonly source: string; readonly flow: Flow; readonly set: boolean };
}

export class MigrationRefused extends BooksError {
  constructor(message: string, context: Readonly<Record<string, unknown>> = {}) {
    super('MIGRATION_REFUSED', message, context);
  }
}

/**
 * Moves a strategy between the flows without trading:
 * - `per-strategy`: carves its share out of the legacy book (per symbol its contribution fraction
 *   from the latest legacy run × the legacy quantity, cost basis carried over, and its share of
 *   the legacy cash) into its own book;
 * - `legacy`: folds its whole book back into the legacy book.
 * The moves, both books' cash, the flow marker and an audit record are ONE transaction, so a
 * crash leaves either nothing or everything; then the flow flag is set. Run again after a crash
 * between the two, it finds the marker and only sets the flag. Σ books is unchanged by a
 * migration, so the books still explain the broker exactly.
 */
export async function migrateStrategy(deps: MigrateDeps, request: MigrateRequest): Promise<MigrateResult> {
  const { strategyId: sid, to } = request;
  if (sid === LEGACY) throw new MigrationRefused('the LEGACY book itself cannot be migrated');
  const holdings = to;
  const marker = await deps.legacy.flowMarker(sid);
  if (marker?.holdings === holdings) {
    if (!request.dryRun) await deps.flows.set(sid, request.flag);
    return {
      strategyId: sid,
      to,
      status: request.dryRun ? 'dry-run' : 'already',
      flag: { source: deps.flows.source, flow: request.flag, set: !request.dryRun },
    };
  }
  const id = `mig-${sid}-${request.at.replace(/[^0-9]/g, '')}`;
  const [legacy, own] = await Promise.all([loadBook(deps.books, LEGACY), loadBook(deps.books, sid)]);
  let migration: Migration;
  let fromRun: string | undefined;
  if (to === 'per-strategy') {
    const latest = await deps.legacy.latestSignals();
    fromRun = latest?.runId;
    if (marker?.holdings === 'legacy' && latest && marker.at > latest.recordedAt)
      throw new MigrationRefused(
        `${sid} was folded back into the legacy book (${marker.migrationId}) after the latest legacy run ${latest.runId}: its share of the legacy book is known after the next legacy run; run it first`,
      );
    const carved = new Set<StrategyId>();
    for (const c of latest?.strategies ?? [])
      if (c.strategyId !== sid && (await deps.legacy.flowMarker(c.strategyId))?.holdings === 'per-strategy')
        carved.add(c.strategyId);
    const shares = latest
      ? carveShares(latest, sid, (id) => !carved.has(id))
      : { positions: new Map<Symbol, never>(), cash: new Decimal(0) };
    const assets = await deps.assets([...shares.positions.keys()]);
    migration = carveOut({ legacy: legacy.book, target: own.book, shares, assets, id, at: request.at });
  } else {
    migration = foldBack({ book: own.book, legacy: legacy.book, id, at: request.at });
  }
  const [fromBook, toBook] = to === 'per-strategy' ? [legacy, own] : [own, legacy];
  if (request.dryRun)
    return {
      strategyId: sid,
      to,
      status: 'dry-run',
      migration,
      ...(fromRun ? { fromRun } : {}),
      flag: { source: deps.flows.source, flow: request.flag, set: false },
    };

  const moved = migration.out.positions?.length ?? 0;
  const items: TransactItem[] = [
    ...bookItems(deps.books, fromBook, migration.from, migration.out, migration.outChanges),
    ...bookItems(deps.books, toBook, migration.to, migration.in, migration.inChanges),
    markerItem({ strategyId: sid, holdings, migrationId: id, at: request.at }, marker),
    {
      kind: 'put',
      label: `migration ${id} (audit)`,
      item: encodeMigrationAudit({
        strategyId: sid,
        at: request.at,
        id,
        direction: migration.direction,
        ...(fromRun ? { fromRun } : {}),
        detailsJson: JSON.stringify({ moved: migration.moved, cash: migration.cash.toString() }),
      }),
      condition: { expression: 'attribute_not_exists(PK)' },
    },
  ];
  if (items.length > MAX_TRANSACTION_ITEMS)
    throw new MigrationRefused(
      `${sid}: moving ${moved} position(s) needs ${items.length} ledger writes, more than one transaction holds (${MAX_TRANSACTION_ITEMS})`,
    );
  try {
    await deps.table.transact(items);
  } catch (e) {
    if (e instanceof TransactionConditionError)
      throw new MigrationRefused(
        `${sid}: a book changed while migrating (a run in progress?); nothing was moved: run it again when the run is done`,
        { failures: e.failures.map((f) => f.label) },
      );
    throw e;
  }
  await deps.flows.set(sid, request.flag);
  return {
    strategyId: sid,
    to,
    status: 'migrated',
    migration,
    ...(fromRun ? { fromRun } : {}),
    flag: { source: deps.flows.source, flow: request.flag, set: true },
  };
}

/** A book's side of the migration: its transfer (with the positions), its lot items, its cash. */
function bookItems(
  books: BookRepository,
  loaded: LoadedBook,
  strategyId: StrategyId,
  transfer: Transfer,
  changes: readonly LotChange[],
): TransactItem[] {
  if (transfer.amount.isZero() && changes.length === 0) return [];
  return transferItems(books, loaded, strategyId, transfer, { changes });
}

/** The marker moves only from what this migration read (another migration in between fails it). */
function markerItem(marker: FlowMarker, previous: FlowMarker | undefined): TransactItem {
  const item = encodeFlowMarker(marker);
  return {
    kind: 'put',
    label: `flow marker ${marker.strategyId}`,
    item,
    condition: previous
      ? { expression: 'migration_id = :previous', values: { ':previous': { S: previous.migrationId } } }
      : { expression: 'attribute_not_exists(PK)' },
  };
}
