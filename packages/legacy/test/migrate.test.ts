import {
  type Flow,
  LEGACY,
  ManualClock,
  Money,
  Price,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
  Weight,
} from '@books/core';
import {
  BookRepository,
  LedgerTable,
  LegacyRepository,
  loadBook,
  MigrationRepository,
  transferItems,
  transferOfStored,
} from '@books/ledger-client';
import { applyTransferChanges, type Lot, quantitiesOf, rebuildBook, type Transfer } from '@books/portfolio';
import type { FlowFlags } from '@books/runtime';
import { createTestTable, type TestTable } from '@books/testkit';
import fc from 'fast-check';
import {
  aggregateSignals,
  type MigrateDeps,
  type MigrateRequest,
  MigrationRefused,
  migrateStrategy,
  type WorkerSignal,
} from '../src';

const ALPHA = StrategyId('alpha');
const BETA = StrategyId('beta');
const SYMBOLS = ['GLD', 'IWM', 'QQQ', 'SPY', 'TLT'].map((s) => Symbol(s));
const SEEDED_AT = '2025-03-03T21:00:00.000Z';
const CARVE_AT = '2025-03-04T23:00:00.000Z';
const FOLD_AT = '2025-03-05T23:00:00.000Z';
const LEGACY_CASH = '10000.50';

class MemoryFlags implements FlowFlags {
  readonly source = 'memory';
  readonly flags = new Map<StrategyId, Flow>();
  async read() {
    return this.flags;
  }
  async set(sid: StrategyId, flow: Flow) {
    this.flags.set(sid, flow);
  }
}

/** The i-th lot of a legacy book: symbols in turn, each opened a second after the last. */
function lotOf(i: number): Lot {
  const qty = Quantity.parse(`${1 + (i % 7)}.${i % 3}`);
  const price = Price.parse(`${100 + (i % 11)}.25`);
  return {
    symbol: SYMBOLS[i % SYMBOLS.length] ?? Symbol('SPY'),
    openedAt: new Date(Date.parse('2025-01-02T15:00:00.000Z') + i * 1000).toISOString(),
    orderId: `o${String(i).padStart(4, '0')}`,
    openQty: qty,
    openPrice: price,
    cost: Money.of(qty.value.times(price.value)),
  };
}

interface World {
  readonly test: TestTable;
  readonly table: LedgerTable;
  readonly books: BookRepository;
  readonly migrations: MigrationRepository;
  readonly flags: MemoryFlags;
  readonly deps: MigrateDeps;
}

/**
 * A table whose LEGACY book holds `lots` lots (written as seeding transfers of 40 lots, so the book
 * is a projection of its transfers) and the cash, and a legacy run in which alpha holds every
 * symbol but SPY alone and shares SPY with beta.
 */
async function worldWith(lots: number, onChunk?: MigrateDeps['onChunk']): Promise<World> {
  const test = await createTestTable('migrate');
  const table = new LedgerTable(test.client, test.tableName);
  const books = new BookRepository(table);
  const all = Array.from({ length: lots }, (_, i) => lotOf(i));
  for (let start = 0, n = 1; start === 0 || start < all.length; start += 40, n++) {
    const loaded = await loadBook(books, LEGACY);
    const transfer: Transfer = {
      id: `seed-${n}`,
      amount: start === 0 ? Money.parse(LEGACY_CASH) : Money.ZERO,
      reason: 'adjustment',
      at: SEEDED_AT,
      positions: all.slice(start, start + 40).map((lot) => ({ direction: 'in', lot })),
    };
    const { changes } = applyTransferChanges(loaded.book, transfer);
    await table.transact(transferItems(books, loaded, LEGACY, transfer, { changes }));
  }
  const signal = (id: StrategyId, weights: Record<string, string>): WorkerSignal => ({
    strategyId: id,
    outcome: 'SIGNALLED',
    weights: new Map(Object.entries(weights).map(([s, w]) => [Symbol(s), Weight.parse(w)])),
  });
  await new LegacyRepository(table).putSignals(
    aggregateSignals({
      runId: RunId('test-2025-03-04'),
      tradingDate: TradingDate('2025-03-04'),
      recordedAt: '2025-03-04T20:00:00.000Z',
      strategies: [
        { strategyId: ALPHA, flow: 'legacy', allocation: Weight.parse('0.5') },
        { strategyId: BETA, flow: 'legacy', allocation: Weight.parse('0.5') },
      ],
      signals: new Map([
        [ALPHA, signal(ALPHA, { GLD: '0.2', IWM: '0.2', QQQ: '0.2', SPY: '0.2', TLT: '0.1' })],
        [BETA, signal(BETA, { SPY: '0.5' })],
      ]),
    }),
  );
  const flags = new MemoryFlags();
  const migrations = new MigrationRepository(table);
  return {
    test,
    table,
    books,
    migrations,
    flags,
    deps: {
      table,
      books,
      legacy: new LegacyRepository(table),
      migrations,
      flows: flags,
      assets: async (symbols) => new Map(symbols.map((s) => [s, { fractionable: true }])),
      clock: new ManualClock('2025-03-05T01:00:00.000Z'),
      ...(onChunk ? { onChunk } : {}),
    },
  };
}

const carve = (lotsPerChunk?: number): MigrateRequest => ({
  strategyId: ALPHA,
  to: 'per-strategy',
  flag: 'per-strategy',
  dryRun: false,
  at: CARVE_AT,
  by: 'ops@test',
  ...(lotsPerChunk ? { lotsPerChunk } : {}),
});
const fold = (lotsPerChunk?: number): MigrateRequest => ({
  ...carve(lotsPerChunk),
  to: 'legacy',
  flag: 'legacy',
  at: FOLD_AT,
});

/** Per symbol Σ quantity of the two books, and their cash: what the broker holds. */
async function totals(w: World): Promise<Record<string, string>> {
  const [legacy, alpha] = await Promise.all([loadBook(w.books, LEGACY), loadBook(w.books, ALPHA)]);
  const out: Record<string, string> = { cash: legacy.book.cash.plus(alpha.book.cash).toString() };
  for (const symbol of SYMBOLS) {
    const q = (b: typeof legacy) => quantitiesOf(b.book).get(symbol) ?? Quantity.ZERO;
    out[symbol] = q(legacy).plus(q(alpha)).toString();
  }
  return out;
}

/** Both books as stored, and whether each equals the fold of its own transfers. */
async function snapshot(w: World) {
  const out: Record<string, unknown> = {};
  for (const sid of [LEGACY, ALPHA]) {
    const stored = await w.books.readBook(sid);
    if (!stored) {
      out[sid] = 'absent';
      continue;
    }
    const rebuilt = rebuildBook(sid, [], stored.transfers.map(transferOfStored));
    expect({ sid, lots: rebuilt.lots.length, cash: rebuilt.cash.toString() }).toEqual({
      sid,
      lots: stored.lots.length,
      cash: stored.cash.cash.toString(),
    });
    expect(rebuilt.lots.map((l) => [l.symbol, l.orderId, l.openQty.toString(), l.cost.toString()])).toEqual(
      stored.lots.map((l) => [l.symbol, l.orderId, l.openQty.toString(), l.cost.toString()]),
    );
    out[sid] = {
      lots: stored.lots.map((l) => `${l.symbol} ${l.orderId} ${l.openQty} ${l.cost}`),
      cash: stored.cash.cash.toString(),
      version: stored.cash.version,
      transfers: stored.transfers.map((t) => `${t.id} ${t.amount} ${t.positions?.length ?? 0}`),
    };
  }
  out.migrations = (await w.migrations.list(ALPHA)).map(
    (m) => `${m.id} ${m.status} ${m.chunksDone}/${m.plan.chunks} ${m.by} ${m.updatedAt}`,
  );
  out.open = (await w.migrations.open(ALPHA))?.id ?? 'none';
  out.marker = (await w.deps.legacy.flowMarker(ALPHA))?.holdings ?? 'none';
  out.flag = w.flags.flags.get(ALPHA) ?? 'none';
  return out;
}

describe('a chunked migration between the flows on DynamoDB Local', () => {
  jest.setTimeout(120_000);
  const worlds: World[] = [];
  const open = async (lots: number, onChunk?: MigrateDeps['onChunk']) => {
    const w = await worldWith(lots, onChunk);
    worlds.push(w);
    return w;
  };
  afterAll(async () => {
    for (const w of worlds) await w.test.cleanup();
  });

  it('carves 200 lots out of the legacy book in chunks and folds them back; Σ books is the same after every chunk and each book rebuilds from its transfers', async () => {
    let w: World | undefined;
    const seen: string[] = [];
    const initial: Record<string, string>[] = [];
    w = await open(250, async (p) => {
      if (!w) return;
      seen.push(`${p.id} ${p.chunksDone}/${p.chunks} ${p.lots}`);
      expect(await totals(w)).toEqual(initial[0]);
    });
    initial.push(await totals(w));
    const legacyBefore = (await w.books.readBook(LEGACY))?.lots.map((l) => `${l.orderId} ${l.openQty}`);

    const carved = await migrateStrategy(w.deps, carve());
    expect(carved.status).toBe('migrated');
    const alpha = await loadBook(w.books, ALPHA);
    // Every lot of GLD, IWM, QQQ, TLT (200) and 2/7 of SPY's quantity (FIFO: its first lots).
    expect(alpha.book.lots.length).toBeGreaterThan(200);
    const chunks = Math.ceil(alpha.book.lots.length / 40);
    expect(carved.migration).toMatchObject({ chunks, chunksBefore: 0, chunksDone: chunks, lotsPerChunk: 40 });
    expect(seen).toHaveLength(chunks);
    expect(seen.at(-1)).toMatch(
      new RegExp(`^mig-alpha-per-strategy-20250304230000000 ${chunks}/${chunks} \\d+$`),
    );
    expect(w.flags.flags.get(ALPHA)).toBe('per-strategy');
    await snapshot(w);

    const folded = await migrateStrategy(w.deps, fold(30));
    expect(folded.migration).toMatchObject({
      chunks: Math.ceil(alpha.book.lots.length / 30),
      lotsPerChunk: 30,
    });
    expect(await totals(w)).toEqual(initial[0]);
    expect((await loadBook(w.books, ALPHA)).book.lots).toEqual([]);
    // The SPY lot split by the carve-out is one lot again: the legacy book is what it was.
    expect((await w.books.readBook(LEGACY))?.lots.map((l) => `${l.orderId} ${l.openQty}`)).toEqual(
      legacyBefore,
    );
    expect(await snapshot(w)).toMatchObject({ open: 'none', marker: 'legacy', flag: 'legacy' });
  });

  it('a crash after chunk k leaves it open (the other direction refused, the coordinator’s pointer set); the next attempt finishes it with the books of an uninterrupted migration', async () => {
    let resumed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 90 }),
        fc.integer({ min: 1, max: 46 }),
        fc.integer({ min: 1, max: 6 }),
        async (lots, lotsPerChunk, crashAfter) => {
          const straight = await open(lots);
          await migrateStrategy(straight.deps, carve(lotsPerChunk));
          const expected = await snapshot(straight);

          let crashes = true;
          const crashed = await open(lots, (p) => {
            if (crashes && p.chunksDone === crashAfter && p.chunksDone < p.chunks) throw new Error('crash');
          });
          const before = await totals(crashed);
          const first = migrateStrategy(crashed.deps, carve(lotsPerChunk));
          const planned = (await straight.migrations.list(ALPHA))[0]?.plan.chunks ?? 0;
          if (crashAfter >= planned) {
            await first;
            expect(await snapshot(crashed)).toEqual(expected);
            return;
          }
          await expect(first).rejects.toThrow('crash');
          expect(await totals(crashed)).toEqual(before);
          const pointer = await crashed.migrations.open(ALPHA);
          expect(pointer?.direction).toBe('to-per-strategy');
          expect((await crashed.migrations.list(ALPHA))[0]).toMatchObject({
            status: 'OPEN',
            chunksDone: crashAfter,
          });
          expect(crashed.flags.flags.get(ALPHA)).toBeUndefined();
          await expect(migrateStrategy(crashed.deps, fold())).rejects.toThrow(
            new RegExp(
              `migration ${pointer?.id} of alpha to per-strategy is open: finish it with  books migrate alpha --to per-strategy`,
            ),
          );
          // A dry run of the open migration tells how far it got and writes nothing.
          const dry = await migrateStrategy(crashed.deps, { ...carve(), dryRun: true });
          expect(dry.migration).toMatchObject({ chunksDone: crashAfter, chunks: planned });
          crashes = false;
          const finished = await migrateStrategy(crashed.deps, {
            ...carve(),
            at: '2030-01-01T00:00:00.000Z',
          });
          expect(finished.migration).toMatchObject({
            chunksBefore: crashAfter,
            chunksDone: planned,
            at: CARVE_AT,
          });
          expect(await snapshot(crashed)).toEqual(expected);
          resumed++;
        },
      ),
      { numRuns: 6, seed: 20251206, examples: [[90, 10, 3]] },
    );
    expect(resumed).toBeGreaterThan(0);
  });

  it('two attempts at once both end with the books of one migration', async () => {
    const straight = await open(130);
    await migrateStrategy(straight.deps, carve(20));
    const expected = await snapshot(straight);
    const w = await open(130);
    const [a, b] = await Promise.all([
      migrateStrategy(w.deps, carve(20)),
      migrateStrategy(w.deps, carve(20)),
    ]);
    expect([a.status, b.status]).toEqual(['migrated', 'migrated']);
    expect(await snapshot(w)).toEqual(expected);
  });

  it('a dry run tells the lots, the cash and the chunks and writes nothing', async () => {
    const w = await open(100);
    const before = await snapshot(w);
    const dry = await migrateStrategy(w.deps, { ...carve(25), dryRun: true });
    expect(dry.status).toBe('dry-run');
    expect(dry.migration).toMatchObject({ lotsPerChunk: 25, chunksDone: 0 });
    const lots = dry.migration?.lots ?? 0;
    expect(lots).toBeGreaterThan(80);
    expect(dry.migration?.chunks).toBe(Math.ceil(lots / 25));
    expect(dry.migration?.moved.map((m) => m.symbol)).toEqual(SYMBOLS);
    expect(dry.migration?.cash.isPositive()).toBe(true);
    expect(await snapshot(w)).toEqual(before);
  });

  it('a book that lost lots since the migration opened stops it with the reason, open', async () => {
    let w: World | undefined;
    w = await open(60, async (p) => {
      // After chunk 1, some of the rest leaves the legacy book (as a trade of a run would).
      if (!w || p.chunksDone !== 1) return;
      const loaded = await loadBook(w.books, LEGACY);
      const lot = loaded.book.lots.find((l) => l.symbol === 'TLT');
      if (!lot) throw new Error('no TLT lot left');
      const out: Transfer = {
        id: 'away',
        amount: Money.ZERO,
        reason: 'adjustment',
        at: SEEDED_AT,
        positions: [{ direction: 'out', symbol: lot.symbol, qty: lot.openQty }],
      };
      const { changes } = applyTransferChanges(loaded.book, out);
      await w.table.transact(transferItems(w.books, loaded, LEGACY, out, { changes }));
    });
    const attempt = migrateStrategy(w.deps, carve(10));
    await expect(attempt).rejects.toThrow(MigrationRefused);
    await expect(attempt).rejects.toThrow(
      /LEGACY holds .* TLT, less than the .* the migration has left to move/,
    );
    expect((await w.migrations.open(ALPHA))?.id).toMatch(/^mig-alpha-per-strategy-/);
  });
});
