import {
  InstantSchema,
  lazySchema,
  type Money,
  MoneySchema,
  type Quantity,
  QuantitySchema,
  type StrategyId,
  type Symbol,
  SymbolSchema,
} from '@books/core';
import * as z from 'zod';
import { type Item, toItem } from '../attribute-codec';
import { field } from '../fields';
import { canonicalInstant } from '../instant';
import { keys } from '../keys';
import { decodeItem } from './decode';

/**
 * A migration between the legacy book and a strategy's own book, moved in chunks (one transaction
 * each). Its record (`STRATEGY#{sid}#FLOW` / `MIGRATION#{at}#{id}`) holds the plan fixed when it
 * opened and the progress; while it is OPEN the strategy's `OPEN_MIGRATION` item points at it.
 *
 *   open ──(chunk 1)──▶ … ──(chunk k)──▶ … ──(last chunk: cash, marker, DONE, pointer deleted)──▶ DONE
 *
 * Each chunk's transaction moves its lots between the two books and advances `chunks_done` from
 * the value it read, so a crash leaves the record at the last chunk committed and a retry (or a
 * concurrent duplicate) can neither skip nor repeat a chunk.
 */
export const MIGRATION_STATUSES = ['OPEN', 'DONE'] as const;
export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

export const MIGRATION_DIRECTIONS = ['to-per-strategy', 'to-legacy'] as const;
export type MigrationDirection = (typeof MIGRATION_DIRECTIONS)[number];

/** What a migration moves in all: per symbol the quantity (and its cost basis), and the cash. */
export interface MigrationPlan {
  readonly positions: readonly { readonly symbol: Symbol; readonly qty: Quantity; readonly cost: Money }[];
  readonly cash: Money;
  /** At most this many lots move per chunk. */
  readonly lotsPerChunk: number;
  /** The chunks planned when it opened (at least 1: the last one moves the cash and flips the marker). */
  readonly chunks: number;
}

export interface MigrationRecord {
  readonly strategyId: StrategyId;
  readonly id: string;
  readonly direction: MigrationDirection;
  /** The instant of the migration: its key, and the time of every transfer it writes. */
  readonly at: string;
  readonly status: MigrationStatus;
  /** The legacy run whose contributions gave a carve-out's shares. */
  readonly fromRun?: string;
  readonly plan: MigrationPlan;
  readonly chunksDone: number;
  /** Per symbol, the quantity moved by the chunks done. */
  readonly moved: ReadonlyMap<Symbol, Quantity>;
  /** Who started it (the operator's identity). */
  readonly by: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The pointer to a strategy's open migration (`STRATEGY#{sid}#FLOW` / `OPEN_MIGRATION`). */
export interface OpenMigration {
  readonly strategyId: StrategyId;
  readonly id: string;
  readonly direction: MigrationDirection;
  readonly at: string;
}

const PlanSchema = lazySchema(() =>
  z.object({
    positions: z.array(z.object({ symbol: SymbolSchema, qty: QuantitySchema, cost: MoneySchema })),
    cash: MoneySchema,
    lotsPerChunk: z.number().int().positive(),
    chunks: z.number().int().positive(),
  }),
);

const MovedSchema = lazySchema(() => z.record(z.string(), QuantitySchema));

function json<S extends z.ZodType>(schema: S) {
  return z.string().transform((text, ctx): z.output<S> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not JSON' });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.message });
      return z.NEVER;
    }
    return parsed.data;
  });
}

const RecordSchema = lazySchema(() =>
  z.object({
    strategy_id: field.strategyId,
    migration_id: z.string().min(1),
    direction: z.enum(MIGRATION_DIRECTIONS),
    at: field.instant,
    status: z.enum(MIGRATION_STATUSES),
    from_run: z.string().optional(),
    plan_json: json(PlanSchema()),
    chunks_done: field.count,
    moved_json: json(MovedSchema()),
    by: z.string().min(1),
    created_at: InstantSchema,
    updated_at: InstantSchema,
  }),
);

const OpenSchema = lazySchema(() =>
  z.object({
    strategy_id: field.strategyId,
    migration_id: z.string().min(1),
    direction: z.enum(MIGRATION_DIRECTIONS),
    at: field.instant,
  }),
);

export const migrationRecordKey = (r: Pick<MigrationRecord, 'strategyId' | 'at' | 'id'>) =>
  keys.migration(r.strategyId, r.at, r.id);

export function planJson(plan: MigrationPlan): string {
  return JSON.stringify({
    positions: plan.positions.map((p) => ({
      symbol: p.symbol,
      qty: p.qty.toString(),
      cost: p.cost.toString(),
    })),
    cash: plan.cash.toString(),
    lotsPerChunk: plan.lotsPerChunk,
    chunks: plan.chunks,
  });
}

export function movedJson(moved: ReadonlyMap<Symbol, Quantity>): string {
  return JSON.stringify(Object.fromEntries([...moved].map(([s, q]) => [s, q.toString()])));
}

export function encodeMigrationRecord(r: MigrationRecord): Item {
  return toItem({
    ...migrationRecordKey(r),
    entity: 'MIGRATION',
    strategy_id: r.strategyId,
    migration_id: r.id,
    direction: r.direction,
    at: canonicalInstant(r.at),
    status: r.status,
    from_run: r.fromRun,
    plan_json: planJson(r.plan),
    chunks_done: r.chunksDone,
    moved_json: movedJson(r.moved),
    by: r.by,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  });
}

export function decodeMigrationRecord(item: Item): MigrationRecord {
  const r = decodeItem(RecordSchema(), item, 'migration');
  return {
    strategyId: r.strategy_id,
    id: r.migration_id,
    direction: r.direction,
    at: r.at,
    status: r.status,
    ...(r.from_run !== undefined ? { fromRun: r.from_run } : {}),
    plan: r.plan_json,
    chunksDone: r.chunks_done,
    moved: new Map(Object.entries(r.moved_json).map(([s, q]) => [SymbolSchema.parse(s), q])),
    by: r.by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function encodeOpenMigration(open: OpenMigration): Item {
  return toItem({
    ...keys.openMigration(open.strategyId),
    entity: 'OPEN_MIGRATION',
    strategy_id: open.strategyId,
    migration_id: open.id,
    direction: open.direction,
    at: canonicalInstant(open.at),
  });
}

export function decodeOpenMigration(item: Item): OpenMigration {
  const o = decodeItem(OpenSchema(), item, 'open migration');
  return { strategyId: o.strategy_id, id: o.migration_id, direction: o.direction, at: o.at };
}
