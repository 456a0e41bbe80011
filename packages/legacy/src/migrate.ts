import {
  BooksError,
  type Clock,
  Decimal,
  type Flow,
  LEGACY,
  Money,
  Quantity,
  type StrategyId,
  type Symbol,
} from '@books/core';
import {
  type BookRepository,
  type FlowMarker,
  type LedgerTable,
  type LegacyRepository,
  type LoadedBook,
  loadBook,
  type MigrationDirection,
  type MigrationRecord,
  type MigrationRepository,
  type OpenMigration,
  type TransactItem,
  TransactionConditionError,
  TransactionConflictError,
  transferItems,
} from '@books/ledger-client';
import {
  type AssetInfo,
  InvalidTransferError,
  type LotChange,
  OversellError,
  type Transfer,
} from '@books/portfolio';
import type { FlowFlags } from '@books/runtime';
import { carveOut, carveShares, foldBack, type Migration } from './carve';
import {
  chunkCount,
  DEFAULT_LOTS_PER_CHUNK,
  MAX_LOTS_PER_CHUNK,
  MigrationShortfallError,
  nextChunk,
} from './migration-chunks';

export interface MigrateDeps {
  readonly table: LedgerTable;
  readonly books: BookRepository;
  readonly legacy: LegacyRepository;
  readonly migrations: MigrationRepository;
  readonly flows: FlowFlags;
  readonly assets: (symbols: readonly Symbol[]) => Promise<ReadonlyMap<Symbol, AssetInfo>>;
  /** The time of the record's created/updated stamps. */
  readonly clock: Clock;
  /** Told after each chunk is committed (progress for the operator). A throw stops the migration there: it stays open. */
  readonly onChunk?: (progress: MigrationProgress) => Promise<void> | void;
}

export interface MigrateRequest {
  readonly strategyId: StrategyId;
  readonly to: 'per-strategy' | 'legacy';
  /** The flow the flag is set to afterwards (`legacy` or `shadow` for a fold-back). */
  readonly flag: Flow;
  readonly dryRun: boolean;
  /** ISO instant of the migration (injected clock); a resumed migration keeps its own. */
  readonly at: string;
  /** Who asks (the operator's identity), recorded on the migration. */
  readonly by: string;
  /** At most this many lots per chunk (one transaction each); default DEFAULT_LOTS_PER_CHUNK. */
  readonly lotsPerChunk?: number;
}

export interface MigrationProgress {
  readonly id: string;
  readonly chunksDone: number;
  readonly chunks: number;
  readonly lots: number;
}

/** What a migration moves in all, and how far it got. */
export interface MigrationSummary {
  readonly id: string;
  readonly direction: MigrationDirection;
  readonly from: StrategyId;
  readonly to: StrategyId;
  readonly at: string;
  /** Per symbol, the quantity moved (and its cost basis). */
  readonly moved: readonly { readonly symbol: Symbol; readonly qty: string; readonly cost: string }[];
  readonly cash: Money;
  /** The lots (pieces of lots) it moves: a dry run's count; undefined for a migration already open. */
  readonly lots?: number;
  readonly lotsPerChunk: number;
  readonly chunks: number;
  /** Chunks committed before this call (a resumed migration's), and after it. */
  readonly chunksBefore: number;
  readonly chunksDone: number;
  readonly by: string;
}

export interface MigrateResult {
  readonly strategyId: StrategyId;
  readonly to: 'per-strategy' | 'legacy';
  /**
   * `migrated` (a resumed one included: see `migration.chunksBefore`); `already` when an earlier
   * run of this command moved the holdings (only the flag was set).
   */
  readonly status: 'migrated' | 'already' | 'dry-run';
  readonly migration?: MigrationSummary;
  /** The legacy run whose contributions gave the carve-out's shares. */
  readonly fromRun?: string;
  readonly flag: { readonly source: string; readonly flow: Flow; readonly set: boolean };
}

export class MigrationRefused extends BooksError {
  static override readonly errorName: string = 'MigrationRefused';
  constructor(message: string, context: Readonly<Record<string, unknown>> = {}) {
    super('MIGRATION_REFUSED', message, context);
  }
}

/** Transaction conflicts with a concurrent call of the same migration tolerated before giving up. */
const MAX_CONFLICTS = 20;

const directionOf = (to: MigrateRequest['to']): MigrationDirection =>
  to === 'per-strategy' ? 'to-per-strategy' : 'to-legacy';
const toOf = (direction: MigrationDirection): MigrateRequest['to'] =>
  direction === 'to-per-strategy' ? 'per-strategy' : 'legacy';

/** How an open migration is named to the operator (and by the coordinator's refusal). */
export function describeOpenMigration(open: OpenMigration): string {
  return `migration ${open.id} of ${open.strategyId} to ${toOf(open.direction)} is open: finish it with  books migrate ${open.strategyId} --to ${toOf(open.direction)}`;
}

/**
 * Moves a strategy between the flows without trading:
 * - `per-strategy`: carves its share out of the legacy book (per symbol its contribution fraction
 *   from the latest legacy run × the legacy quantity, cost basis carried over, and its share of
 *   the legacy cash) into its own book;
 * - `legacy`: folds its whole book back into the legacy book.
 *
 * Any number of lots, in chunks (migration-chunks.ts):
 *
 *   open:   record OPEN (plan, 0 chunks) + pointer OPEN_MIGRATION + marker unchanged   (1 transaction)
 *   chunk:  ≤ lotsPerChunk lots out of one book and into the other + record chunks_done k → k+1
 *   last:   the rest + the cash + marker → new holdings + record DONE + pointer deleted
 *   then:   the flow flag is set (a crash before it: the next call finds the marker and sets it)
 *
 * Σ books is unchanged by every transaction, so the books explain the broker between any two. A
 * crash leaves the record at its last chunk; the next call of the same direction finds the pointer
 * and finishes it (the other direction is refused while it is open), and the coordinator refuses
 * to plan the strategy until then. Two calls at once: each chunk is conditional on the count and
 * the books' versions it read, so one of them commits it and the other reads again.
 */
export async function migrateStrategy(deps: MigrateDeps, request: MigrateRequest): Promise<MigrateResult> {
  const { strategyId: sid, to } = request;
  if (sid === LEGACY) throw new MigrationRefused('the LEGACY book itself cannot be migrated');
  const lotsPerChunk = request.lotsPerChunk ?? DEFAULT_LOTS_PER_CHUNK;
  if (!Number.isSafeInteger(lotsPerChunk) || lotsPerChunk < 1 || lotsPerChunk > MAX_LOTS_PER_CHUNK)
    throw new MigrationRefused(`lots per chunk must be 1 to ${MAX_LOTS_PER_CHUNK}, got ${lotsPerChunk}`);

  const open = await deps.migrations.open(sid);
  if (open) {
    if (open.direction !== directionOf(to))
      throw new MigrationRefused(`${sid}: ${describeOpenMigration(open)} before migrating it to ${to}`, {
        migrationId: open.id,
      });
    const record = await deps.migrations.record(open);
    if (!record) throw new MigrationRefused(`${sid}: the open migration ${open.id} has no record`);
    return finish(deps, request, record);
  }

  const marker = await deps.legacy.flowMarker(sid);
  if (marker?.holdings === to) {
    if (!request.dryRun) await deps.flows.set(sid, request.flag);
    return {
      strategyId: sid,
      to,
      status: request.dryRun ? 'dry-run' : 'already',
      flag: { source: deps.flows.source, flow: request.flag, set: !request.dryRun },
    };
  }
  const planned = await plan(deps, request, marker);
  const lots = planned.migration.in.positions?.length ?? 0;
  const now = deps.clock.now().toISOString();
  const record: MigrationRecord = {
    strategyId: sid,
    id: planned.migration.id,
    direction: planned.migration.direction,
    at: request.at,
    status: 'OPEN',
    ...(planned.fromRun ? { fromRun: planned.fromRun } : {}),
    plan: {
      positions: planned.migration.moved.map((m) => ({
        symbol: m.symbol,
        qty: Quantity.parse(m.qty),
        cost: Money.parse(m.cost),
      })),
      cash: planned.migration.cash,
      lotsPerChunk,
      chunks: chunkCount(lots, lotsPerChunk),
    },
    chunksDone: 0,
    moved: new Map(),
    by: request.by,
    createdAt: now,
    updatedAt: now,
  };
  if (request.dryRun)
    return {
      strategyId: sid,
      to,
      status: 'dry-run',
      migration: { ...summaryOf(record, 0), lots },
      ...(planned.fromRun ? { fromRun: planned.fromRun } : {}),
      flag: { source: deps.flows.source, flow: request.flag, set: false },
    };
  try {
    await deps.table.transact(deps.migrations.openItems(record, marker));
  } catch (e) {
    if (!(e instanceof TransactionConditionError || e instanceof TransactionConflictError)) throw e;
    // Another call opened one first: one in the same direction (this one, or one opened a moment
    // earlier) is finished from its record; any other change is refused.
    const winner = await deps.migrations.open(sid);
    const stored = winner?.direction === record.direction ? await deps.migrations.record(winner) : undefined;
    if (!stored)
      throw new MigrationRefused(
        `${sid}: its flow marker or migrations changed while opening ${record.id}; nothing was moved: run it again`,
        { failures: e instanceof TransactionConditionError ? e.failures.map((f) => f.label) : [] },
      );
    return finish(deps, request, stored);
  }
  return finish(deps, request, record);
}

/** The whole migration as it would be done now in one go (the plan of its record). */
async function plan(
  deps: MigrateDeps,
  request: MigrateRequest,
  marker: FlowMarker | undefined,
): Promise<{ migration: Migration; fromRun?: string }> {
  const { strategyId: sid, to } = request;
  const id = `mig-${sid}-${to}-${request.at.replace(/[^0-9]/g, '')}`;
  const [legacy, own] = await Promise.all([loadBook(deps.books, LEGACY), loadBook(deps.books, sid)]);
  if (to === 'legacy')
    return { migration: foldBack({ book: own.book, legacy: legacy.book, id, at: request.at }) };
  const latest = await deps.legacy.latestSignals();
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
  return {
    migration: carveOut({ legacy: legacy.book, target: own.book, shares, assets, id, at: request.at }),
    ...(latest ? { fromRun: latest.runId } : {}),
  };
}

/**
 * Runs the open migration's chunks to the end, from its record as stored (a resumed one from the
 * chunk after its last committed one), then sets the flag.
 */
async function finish(
  deps: MigrateDeps,
  request: MigrateRequest,
  opened: MigrationRecord,
): Promise<MigrateResult> {
  const sid = opened.strategyId;
  const chunksBefore = opened.chunksDone;
  const result = (record: MigrationRecord, status: MigrateResult['status'], set: boolean): MigrateResult => ({
    strategyId: sid,
    to: toOf(record.direction),
    status,
    migration: summaryOf(record, chunksBefore),
    ...(record.fromRun ? { fromRun: record.fromRun } : {}),
    flag: { source: deps.flows.source, flow: request.flag, set },
  });
  if (request.dryRun) return result(opened, 'dry-run', false);
  let record = opened;
  let conflicts = 0;
  for (;;) {
    // The books are read between two reads of the record: when another call of this migration
    // committed a chunk meanwhile (both change together), they are read again; so a chunk is
    // planned only from books that match the record, and a lost condition then means a change
    // from outside the migration.
    const seen = await recordOf(deps, record);
    if (seen.status === 'DONE') {
      record = seen;
      break;
    }
    const [fromId, toId] = seen.direction === 'to-per-strategy' ? [LEGACY, sid] : [sid, LEGACY];
    const [from, to] = await Promise.all([loadBook(deps.books, fromId), loadBook(deps.books, toId)]);
    record = await recordOf(deps, seen);
    if (record.status !== seen.status || record.chunksDone !== seen.chunksDone) continue;
    const chunk = chunkOf(record, from, to);
    const now = deps.clock.now().toISOString();
    const previous = chunk.last ? await deps.legacy.flowMarker(sid) : undefined;
    const items: TransactItem[] = [
      ...(chunk.move
        ? [
            ...bookItems(deps.books, from, chunk.move.from, chunk.move.out, chunk.move.outChanges),
            ...bookItems(deps.books, to, chunk.move.to, chunk.move.in, chunk.move.inChanges),
          ]
        : []),
      ...deps.migrations.advanceItems(record, {
        moved: chunk.moved,
        at: now,
        ...(chunk.last
          ? {
              close: {
                marker: {
                  strategyId: sid,
                  holdings: toOf(record.direction),
                  migrationId: record.id,
                  at: record.at,
                },
                previous,
              },
            }
          : {}),
      }),
    ];
    try {
      await deps.table.transact(items);
    } catch (e) {
      // Another call of the same migration in flight (a conflict), or one that committed this
      // chunk first (a lost condition): read again and go on from the record.
      if (e instanceof TransactionConflictError && ++conflicts <= MAX_CONFLICTS) continue;
      if (!(e instanceof TransactionConditionError)) throw e;
      const latest = await deps.migrations.record(record);
      if (!latest || (latest.status === 'OPEN' && latest.chunksDone === record.chunksDone))
        throw new MigrationRefused(
          `${sid}: a book changed while migrating (a run in progress?); migration ${record.id} stays open at chunk ${record.chunksDone} of ${record.plan.chunks}: run  books migrate ${sid} --to ${toOf(record.direction)}  again to finish it`,
          { failures: e.failures.map((f) => f.label) },
        );
      continue;
    }
    record = {
      ...record,
      chunksDone: record.chunksDone + 1,
      moved: chunk.moved,
      status: chunk.last ? 'DONE' : 'OPEN',
      updatedAt: now,
    };
    await deps.onChunk?.({
      id: record.id,
      chunksDone: record.chunksDone,
      chunks: record.plan.chunks,
      lots: chunk.lots,
    });
    if (record.status === 'DONE') break;
  }
  await deps.flows.set(sid, request.flag);
  return result(record, 'migrated', true);
}

async function recordOf(deps: MigrateDeps, ref: MigrationRecord): Promise<MigrationRecord> {
  const stored = await deps.migrations.record(ref);
  if (!stored) throw new MigrationRefused(`${ref.strategyId}: migration ${ref.id} has no record`);
  return stored;
}

/** The record's next chunk from the books as they are now. */
function chunkOf(record: MigrationRecord, from: LoadedBook, to: LoadedBook) {
  try {
    return nextChunk({
      strategyId: record.strategyId,
      direction: record.direction,
      fromBook: from.book,
      toBook: to.book,
      plan: record.plan.positions,
      cash: record.plan.cash,
      moved: record.moved,
      lotsPerChunk: record.plan.lotsPerChunk,
      id: record.id,
      chunk: record.chunksDone + 1,
      at: record.at,
    });
  } catch (e) {
    // The giving book holds less than the rest of the plan (lots or cash): it changed since.
    if (
      e instanceof MigrationShortfallError ||
      e instanceof InvalidTransferError ||
      e instanceof OversellError
    )
      throw new MigrationRefused(
        `${record.strategyId}: migration ${record.id} cannot go on: ${e.message} (the book changed since it opened: repair it, then run it again)`,
      );
    throw e;
  }
}

function summaryOf(record: MigrationRecord, chunksBefore: number): MigrationSummary {
  const [from, to] =
    record.direction === 'to-per-strategy' ? [LEGACY, record.strategyId] : [record.strategyId, LEGACY];
  return {
    id: record.id,
    direction: record.direction,
    from,
    to,
    at: record.at,
    moved: record.plan.positions.map((p) => ({
      symbol: p.symbol,
      qty: p.qty.toString(),
      cost: p.cost.toString(),
    })),
    cash: record.plan.cash,
    lotsPerChunk: record.plan.lotsPerChunk,
    chunks: record.plan.chunks,
    chunksBefore,
    chunksDone: record.chunksDone,
    by: record.by,
  };
}

/** A book's side of a chunk: its transfer (with the positions), its lot items, its cash. */
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
