import { lazySchema } from '@books/core';
import * as z from 'zod';
import { fromItem } from './attribute-codec';
import { ConditionFailedError, CorruptItemError } from './errors';
import type { LedgerTable } from './ledger-table';

/**
 * The account's broker request budget, counted in the ledger table so that every function and
 * instance shares it: one item per minute window,
 *
 *   PK `BUDGET#BROKER`, SK `WINDOW#{windowStart ISO}`
 *   used                    requests counted in the window (ADD, never above the limit)
 *   blockedUntilEpochMs     Alpaca said the account is spent until then (429 / Remaining at floor)
 *   expiresAtEpochSeconds   TTL: a day after the window
 *
 * A take is one UpdateItem `ADD used 1` under `used < limit AND no block later than now`; a
 * refusal returns the item as it was (ALL_OLD), so the taker knows how long to wait without
 * another read. The rules of the windows are @books/alpaca's budget-window.ts; this module only
 * stores them (it satisfies that package's BudgetWindowStore port structurally).
 */

export const BROKER_BUDGET_PARTITION = 'BUDGET#BROKER';
/** A window's item lives a day past its end, then DynamoDB's TTL removes it. */
const RETENTION_SECONDS = 24 * 60 * 60;

export function brokerBudgetWindowKey(windowStart: Date) {
  return { PK: BROKER_BUDGET_PARTITION, SK: `WINDOW#${windowStart.toISOString()}` };
}

const WindowItemSchema = lazySchema(() =>
  z.object({
    used: z
      .string()
      .regex(/^\d+$/)
      .transform(Number)
      .optional()
      .transform((n) => n ?? 0),
    blockedUntilEpochMs: z.string().regex(/^\d+$/).transform(Number).optional(),
  }),
);

interface Window {
  readonly start: Date;
  readonly end: Date;
}

export interface BrokerBudgetWindow {
  readonly used: number;
  readonly blockedUntil: Date | undefined;
}

function decodeWindow(key: { PK: string; SK: string }, current: unknown): BrokerBudgetWindow {
  const parsed = WindowItemSchema().safeParse(current ?? {});
  if (!parsed.success) throw new CorruptItemError(`${key.PK} / ${key.SK}: ${parsed.error.message}`, { key });
  const { used, blockedUntilEpochMs } = parsed.data;
  return {
    used,
    blockedUntil: blockedUntilEpochMs === undefined ? undefined : new Date(blockedUntilEpochMs),
  };
}

export class BrokerBudgetRepository {
  constructor(private readonly table: LedgerTable) {}

  /** Counts one request in `window` unless it is full or blocked at `now`; returns the refusal's view. */
  async take(window: Window, limit: number, now: Date): Promise<BrokerBudgetWindow | undefined> {
    const key = brokerBudgetWindowKey(window.start);
    try {
      await this.table.update({
        kind: 'update',
        label: 'broker budget take',
        key,
        update: 'ADD #used :one SET #exp = if_not_exists(#exp, :exp)',
        names: { '#used': 'used', '#exp': 'expiresAtEpochSeconds' },
        values: {
          ':one': { N: '1' },
          ':exp': { N: String(Math.floor(window.end.getTime() / 1000) + RETENTION_SECONDS) },
        },
        condition: {
          expression:
            '(attribute_not_exists(#used) OR #used < :limit) AND (attribute_not_exists(#blocked) OR #blocked <= :now)',
          names: { '#used': 'used', '#blocked': 'blockedUntilEpochMs' },
          values: { ':limit': { N: String(limit) }, ':now': { N: String(now.getTime()) } },
        },
      });
      return undefined;
    } catch (e) {
      if (e instanceof ConditionFailedError) return decodeWindow(key, e.current);
      throw e;
    }
  }

  /** Blocks `window` until `until`, unless it already holds a later block. */
  async block(window: Window, until: Date): Promise<void> {
    const key = brokerBudgetWindowKey(window.start);
    try {
      await this.table.update({
        kind: 'update',
        label: 'broker budget block',
        key,
        update: 'SET #blocked = :until, #exp = if_not_exists(#exp, :exp)',
        names: { '#blocked': 'blockedUntilEpochMs', '#exp': 'expiresAtEpochSeconds' },
        values: {
          ':until': { N: String(until.getTime()) },
          ':exp': { N: String(Math.floor(window.end.getTime() / 1000) + RETENTION_SECONDS) },
        },
        condition: {
          expression: 'attribute_not_exists(#blocked) OR #blocked < :until',
          names: { '#blocked': 'blockedUntilEpochMs' },
          values: { ':until': { N: String(until.getTime()) } },
        },
      });
    } catch (e) {
      if (e instanceof ConditionFailedError) return; // a later block is there already
      throw e;
    }
  }

  /** The window as stored (tests, operators). */
  async window(windowStart: Date): Promise<BrokerBudgetWindow | undefined> {
    const key = brokerBudgetWindowKey(windowStart);
    const item = await this.table.getItem(key);
    if (item === undefined) return undefined;
    return decodeWindow(key, fromItem(item));
  }
}
