import { type Broker, isOpenOrderStatus, OrderNotFound } from '@books/broker';
import { BooksError, ClientOrderId, type Clock, type Symbol } from '@books/core';
import {
  ConditionFailedError,
  encodeSymbolLock,
  keys,
  type LedgerTable,
  type TransactItem,
  TransactionConditionError,
} from '@books/ledger-client';
import { FillPending } from '../fill-pending';
import type { LeaseRef, SymbolLease, SymbolLocks } from '../ports';

const RELEASE_ATTEMPTS = 4;

/**
 * The release of a symbol's lease as a transaction item: its deletion, only while `owner` holds
 * it (its condition fails once the lease was taken over).
 */
export function leaseReleaseItem({ symbol, owner }: LeaseRef): TransactItem {
  return {
    kind: 'delete',
    label: `lock ${symbol}`,
    key: keys.symbolLock(symbol),
    condition: {
      expression: '#owner = :owner',
      names: { '#owner': 'owner' },
      values: { ':owner': { S: owner } },
    },
  };
}

/** Whether the broker holds the order of `clientOrderId` and it is no longer open. */
export async function orderDone(
  broker: Pick<Broker, 'getOrderByClientId'>,
  clientOrderId: ClientOrderId,
): Promise<boolean> {
  try {
    return !isOpenOrderStatus((await broker.getOrderByClientId(clientOrderId)).status);
  } catch (e) {
    if (e instanceof OrderNotFound) return false;
    throw e;
  }
}

export class SymbolBusy extends BooksError {
  static override readonly errorName: string = 'SymbolBusy';
  constructor(symbol: string, holder: string | undefined) {
    super('SYMBOL_BUSY', `${symbol} has an open order (${holder ?? 'unknown'}); will try again`, {
      symbol,
      holder,
    });
  }
}

/**
 * At most one open order per symbol across the account (both flows), so the broker's wash-trade
 * rule is never hit: a lease item `LOCK#SYMBOL#{symbol}` / `LOCK` owned by a client order id.
 * Acquired when absent, expired, or already ours (a redelivered message); released when the work
 * ends, except while the order is still working (FillPending): then the lease keeps the symbol
 * until the order is final or the lease runs out. Waits a bounded time for another holder.
 * `clock` is the wall clock: a lease is wall time (`lease_until`), so a dead holder's lease ends even
 * when the market clock the functions run under stands still (a simulated day); and a lease whose
 * holder's order the broker shows done (placed, no longer open) is taken over at once: it guards
 * no open order.
 */
export class LedgerSymbolLocks implements SymbolLocks {
  constructor(
    private readonly table: LedgerTable,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly options: {
      leaseMs?: number;
      waitMs?: number;
      /**
       * Whether a holder's order is known to be done (at the broker and no longer open): its
       * lease then guards nothing, and is taken over before it runs out (a holder that died after
       * its order was placed and filled).
       */
      holderDone?: (holder: ClientOrderId) => Promise<boolean>;
    } = {},
  ) {}

  async withSymbol<T>(
    symbol: Symbol,
    owner: ClientOrderId,
    work: (lease: SymbolLease) => Promise<T>,
    options: { readonly waitMs?: number } = {},
  ): Promise<T> {
    await this.acquire(symbol, owner, options.waitMs ?? this.options.waitMs ?? 30_000);
    let keep = false;
    let released = false;
    try {
      return await work({
        symbol,
        owner,
        released: () => {
          released = true;
        },
      });
    } catch (e) {
      keep = e instanceof FillPending;
      throw e;
    } finally {
      if (!keep && !released) await this.release(symbol, owner);
    }
  }

  private async acquire(symbol: Symbol, owner: ClientOrderId, waitMs: number): Promise<void> {
    const leaseMs = this.options.leaseMs ?? 10 * 60_000;
    let done: string | undefined;
    // The last pause is cut to what is left of `waitMs`: the wait never overshoots its bound.
    for (
      let waited = 0, pause = Math.min(50, waitMs);
      ;
      waited += pause, pause = Math.min(pause * 2, 1000, waitMs - waited)
    ) {
      const now = this.clock.now().getTime();
      try {
        await this.table.put(encodeSymbolLock(symbol, owner, now + leaseMs), {
          expression: `attribute_not_exists(PK) OR #owner = :owner OR #lease < :now${done ? ' OR #owner = :done' : ''}`,
          names: { '#owner': 'owner', '#lease': 'lease_until' },
          values: {
            ':owner': { S: owner },
            ':now': { N: String(now) },
            ...(done ? { ':done': { S: done } } : {}),
          },
        });
        return;
      } catch (e) {
        if (!(e instanceof ConditionFailedError)) throw e;
        const holder = typeof e.current?.owner === 'string' ? e.current.owner : undefined;
        if (holder && holder !== done && (await this.options.holderDone?.(ClientOrderId(holder)))) {
          done = holder;
          continue;
        }
        if (waited >= waitMs) throw new SymbolBusy(symbol, holder);
        await this.sleep(pause);
      }
    }
  }

  /**
   * Deletes the lease if it is still ours. A transient failure (throttling, a network error) is
   * retried a few times: a lease left behind blocks every other order on the symbol until it
   * expires, which outlasts the retries of their messages.
   */
  private async release(symbol: Symbol, owner: ClientOrderId): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.table.transact([leaseReleaseItem({ symbol, owner })]);
        return;
      } catch (e) {
        // Someone took over an expired lease: it is theirs now.
        if (e instanceof TransactionConditionError) return;
        if (attempt >= RELEASE_ATTEMPTS) throw e;
        await this.sleep(100 * attempt);
      }
    }
  }
}
