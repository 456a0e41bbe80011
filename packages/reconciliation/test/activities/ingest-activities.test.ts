import { type NonTradeActivity, type RawActivityRow, toActivity } from '@books/broker';
import {
  ClientOrderId,
  createLogger,
  Money,
  Price,
  Quantity,
  RunId,
  StrategyId,
  Symbol,
  TradingDate,
} from '@books/core';
import {
  ActivityRepository,
  BookRepository,
  LedgerTable,
  loadBook,
  PoolRepository,
  TradeRepository,
} from '@books/ledger-client';
import { rebuildBook } from '@books/portfolio';
import { createTestTable, type TestTable } from '@books/testkit';
import { ingestActivities, poolOpeningDay, readActivities } from '../../src/activities/ingest-activities';
import { LedgerActivities } from '../../src/adapters/ledger-activities';

const A = StrategyId('alpha');
const B = StrategyId('beta');
const logger = createLogger({ service: 'test' }, { level: 'silent' });
const OPENED = '2025-09-02T19:30:00.000Z';

const rows: RawActivityRow[] = [
  {
    id: '20250905000000000::CSD',
    activity_type: 'CSD',
    date: '2025-09-05',
    net_amount: '1000',
    status: 'executed',
  },
  {
    id: '20251006000000000::SPLIT-QQQ',
    activity_type: 'SPLIT',
    activity_sub_type: 'FSPLIT',
    date: '2025-10-06',
    symbol: 'QQQ',
    qty: '15',
    net_amount: '0',
    description: '2:1 forward split',
    status: 'executed',
  },
  {
    id: '20251031000000000::DIV-QQQ',
    activity_type: 'DIV',
    date: '2025-10-31',
    symbol: 'QQQ',
    qty: '30',
    per_share_amount: '0.5',
    net_amount: '15.00',
    description: 'Cash DIV @ 0.5, Pos QTY: 30, Ex Date: 2025-10-20, Rec Date: 2025-10-20',
    status: 'executed',
  },
  {
    id: '20251031000000000::MA-XYZ',
    activity_type: 'MA',
    date: '2025-10-31',
    symbol: 'XYZ',
    qty: '3',
    status: 'executed',
  },
];

describe('ingestActivities over the ledger', () => {
  let test: TestTable;
  let table: LedgerTable;
  let books: BookRepository;
  let trades: TradeRepository;
  beforeEach(async () => {
    test = await createTestTable('activities');
    table = new LedgerTable(test.client, test.tableName);
    books = new BookRepository(table);
    trades = new TradeRepository(table);
    await new PoolRepository(table).open(Money.parse('500'), OPENED, 'stage start');
    // alpha holds 10 QQQ, beta 5 QQQ, each bought on 2025-09-03 (a trade and its lot).
    for (const [sid, qty] of [
      [A, '10'],
      [B, '5'],
    ] as const) {
      const trade = {
        strategyId: sid,
        strategyName: sid,
        orderId: `o-${sid}`,
        clientOrderId: ClientOrderId(`sb-${sid}-QQQ-b0-x`),
        symbol: Symbol('QQQ'),
        side: 'buy' as const,
        filledQty: Quantity.parse(qty),
        fillPrice: Price.parse('100'),
        fees: Money.ZERO,
        runId: RunId('local-2025-09-03'),
        strategyCapital: Money.parse('2000'),
        submittedAt: '2025-09-03T19:30:00.000Z',
        filledAt: '2025-09-03T20:00:00.000Z',
      };
      await table.transact([
        trades.putItem(trade),
        books.openLotItem({
          strategyId: sid,
          symbol: Symbol('QQQ'),
          openedAt: trade.filledAt,
          orderId: trade.orderId,
          openQty: trade.filledQty,
          openPrice: trade.fillPrice,
          cost: Money.parse(qty).times(100),
        }),
        books.openCashItem({
          strategyId: sid,
          cash: Money.parse('100'),
          realizedPnl: Money.ZERO,
          updatedAt: trade.filledAt,
        }),
      ]);
    }
  });
  afterEach(() => test.cleanup());

  const broker = (list: NonTradeActivity[]) => ({ listActivities: async () => list });
  const ports = (list: NonTradeActivity[]) => ({
    broker: broker(list),
    ledger: new LedgerActivities(table, books, trades),
    logger,
  });
  const ingest = (date: string, list = rows.map((r) => toActivity(r))) =>
    ingestActivities(ports(list), { date: TradingDate(date), at: `${date}T19:30:00.000Z` });

  it('posts each activity once: the deposit to the pool, the split and the dividend to the holders, the merger pending', async () => {
    const first = await ingest('2025-10-31');
    expect(first.posted).toEqual([
      '20250905000000000::CSD',
      '20251006000000000::SPLIT-QQQ',
      '20251031000000000::DIV-QQQ',
    ]);
    expect(first.pending).toEqual([
      { id: '20251031000000000::MA-XYZ', reason: 'MA of XYZ carries no terms to map the lots by' },
    ]);
    // Again, and twice at once: nothing more is posted.
    const again = await Promise.all([ingest('2025-10-31'), ingest('2025-10-31')]);
    expect(again.flatMap((s) => [...s.posted, ...s.pending.map((p) => p.id)])).toEqual([]);

    expect((await new PoolRepository(table).read())?.cash.toString()).toBe('1500');
    const alpha = (await loadBook(books, A)).book;
    expect(alpha.lots.map((l) => `${l.symbol} ${l.openQty} ${l.openPrice} ${l.cost}`)).toEqual([
      'QQQ 20 50 1000',
    ]);
    // 15.00 over 20 and 10 shares at the ex date: 10.00 and 5.00, as cash and as income.
    expect([alpha.cash.toString(), alpha.realizedPnl.toString()]).toEqual(['110', '10']);
    expect((await loadBook(books, B)).book.cash.toString()).toBe('105');

    const listed = await new ActivityRepository(table, books).list();
    expect(listed.map((a) => `${a.activityType} ${a.outcome} ${a.target} ${a.books.join(',')}`)).toEqual([
      'CSD posted pool ',
      'SPLIT posted books alpha,beta',
      'DIV posted books alpha,beta',
      'MA pending none ',
    ]);
  });

  it('hands back the activities it read when it wrote none (then the ledger holds just those), and none when it wrote', async () => {
    const first = await ingest('2025-10-31');
    expect(first.stored).toBeUndefined();
    const again = await ingest('2025-10-31');
    expect(again.stored).toEqual(await new ActivityRepository(table, books).list());
    expect(again.stored?.map((a) => `${a.activityType} ${a.outcome}`)).toEqual([
      'CSD posted',
      'SPLIT posted',
      'DIV posted',
      'MA pending',
    ]);
  });

  it('takes the pool opening day the caller knows instead of reading the pool, and posts the same', async () => {
    const ledger = new LedgerActivities(table, books, trades);
    const poolRead = jest.spyOn(ledger, 'poolOpenedOn');
    const listed: unknown[] = [];
    const list = rows.map((r) => toActivity(r));
    const summary = await ingestActivities(
      {
        broker: {
          listActivities: async (query) => {
            listed.push(query);
            return list;
          },
        },
        ledger,
        logger,
      },
      {
        date: TradingDate('2025-10-31'),
        at: '2025-10-31T19:30:00.000Z',
        poolOpenedOn: poolOpeningDay(OPENED),
      },
    );
    expect(poolRead).not.toHaveBeenCalled();
    expect(listed).toEqual([{ after: poolOpeningDay(OPENED) }]);
    expect(summary.posted).toEqual([
      '20250905000000000::CSD',
      '20251006000000000::SPLIT-QQQ',
      '20251031000000000::DIV-QQQ',
    ]);
  });

  it('posts from reads started ahead of it, reading neither the ledger activities nor the broker again', async () => {
    const list = rows.map((r) => toActivity(r));
    const read = await readActivities(ports(list), poolOpeningDay(OPENED));
    const ledger = new LedgerActivities(table, books, trades);
    const ingestedRead = jest.spyOn(ledger, 'ingested');
    const listActivities = jest.fn(async () => list);
    const summary = await ingestActivities(
      { broker: { listActivities }, ledger, logger },
      { date: TradingDate('2025-10-31'), at: '2025-10-31T19:30:00.000Z' },
      read,
    );
    expect(ingestedRead).not.toHaveBeenCalled();
    expect(listActivities).not.toHaveBeenCalled();
    expect(summary.posted).toEqual([
      '20250905000000000::CSD',
      '20251006000000000::SPLIT-QQQ',
      '20251031000000000::DIV-QQQ',
    ]);
  });

  it('rebuilds each book from its trades, transfers and postings to the stored book', async () => {
    await ingest('2025-10-31');
    for (const sid of [A, B]) {
      const stored = await books.readBook(sid);
      const fills = (await trades.listByStrategy(sid)).map((t) => ({
        fillId: t.orderId,
        orderId: t.orderId,
        symbol: t.symbol,
        side: t.side,
        qty: t.filledQty,
        price: t.fillPrice,
        fees: t.fees,
        at: t.filledAt,
      }));
      const seed = {
        id: 'seed',
        amount: Money.parse(sid === A ? '1100' : '600'),
        reason: 'funding' as const,
        at: '2025-09-03T19:00:00.000Z',
      };
      const rebuilt = rebuildBook(sid, fills, [seed], stored?.activities.map((a) => a.posting) ?? []);
      expect(rebuilt.lots.map((l) => `${l.openQty} ${l.cost}`)).toEqual(
        stored?.lots.map((l) => `${l.openQty} ${l.cost}`),
      );
      expect(rebuilt.cash.toString()).toBe(stored?.cash.cash.toString());
    }
  });

  it('records an activity dated on or before the pool opened as before the ledger, posting nothing', async () => {
    const early = toActivity({
      id: 'x::CSD',
      activity_type: 'CSD',
      date: '2025-09-02',
      net_amount: '7',
      status: 'executed',
    });
    const s = await ingest('2025-09-05', [early]);
    expect(s.beforeLedger).toEqual(['x::CSD']);
    expect((await new PoolRepository(table).read())?.cash.toString()).toBe('500');
    expect((await new ActivityRepository(table, books).get('x::CSD'))?.outcome).toBe('before-ledger');
  });

  it('leaves a withdrawal larger than the pool pending instead of overdrawing it', async () => {
    const big = toActivity({
      id: 'y::CSW',
      activity_type: 'CSW',
      date: '2025-09-05',
      net_amount: '-900',
      status: 'executed',
    });
    const s = await ingest('2025-09-05', [big]);
    expect(s.pending.map((p) => p.reason)).toEqual(['CSW of -900 exceeds the pool']);
    expect((await new PoolRepository(table).read())?.cash.toString()).toBe('500');
  });
});
