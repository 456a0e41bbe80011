import { ClientOrderId, ManualClock, Symbol } from '@books/core';
import { LedgerTable } from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerSymbolLocks, SymbolBusy } from '../src/adapters/ledger-symbol-locks';
import { FillPending } from '../src/fill-pending';

describe('symbol leases held by a holder that is gone', () => {
  let test: TestTable;
  let table: LedgerTable;
  const noSleep = async () => undefined;
  beforeAll(async () => {
    test = await createTestTable('locks');
    table = new LedgerTable(test.client, test.tableName);
  });
  afterAll(() => test.cleanup());

  /** `holder` takes the lease and keeps it, as a process killed while its order works. */
  async function leftBehind(locks: LedgerSymbolLocks, symbol: Symbol, holder: string) {
    await expect(
      locks.withSymbol(symbol, ClientOrderId(holder), async () => {
        throw new FillPending(ClientOrderId(holder), 'new');
      }),
    ).rejects.toThrow(FillPending);
  }

  it('ends on the wall clock while the market clock stands still', async () => {
    const wall = new ManualClock('2026-12-06T01:00:00Z');
    const locks = new LedgerSymbolLocks(table, wall, noSleep, { leaseMs: 60_000, waitMs: 100 });
    await leftBehind(locks, Symbol('SPY'), 'sb-dead-1');
    await expect(
      locks.withSymbol(Symbol('SPY'), ClientOrderId('sb-next-1'), async () => 'x'),
    ).rejects.toThrow(SymbolBusy);
    wall.set(new Date('2026-12-06T01:01:01Z'));
    await expect(
      locks.withSymbol(Symbol('SPY'), ClientOrderId('sb-next-1'), async () => 'placed'),
    ).resolves.toBe('placed');
  });

  it("is taken over at once when the holder's order is done at the broker, and kept while it is open", async () => {
    const wall = new ManualClock('2026-12-06T01:00:00Z');
    let open = true;
    const locks = new LedgerSymbolLocks(table, wall, noSleep, {
      waitMs: 100,
      holderDone: async (holder) => holder === 'sb-dead-2' && !open,
    });
    await leftBehind(locks, Symbol('TLT'), 'sb-dead-2');
    await expect(
      locks.withSymbol(Symbol('TLT'), ClientOrderId('sb-next-2'), async () => 'x'),
    ).rejects.toThrow(SymbolBusy);
    open = false;
    await expect(
      locks.withSymbol(Symbol('TLT'), ClientOrderId('sb-next-2'), async () => 'placed'),
    ).resolves.toBe('placed');
  });
});
