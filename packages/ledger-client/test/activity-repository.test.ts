import { Money, Quantity, StrategyId, Symbol, TradingDate } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import {
  ActivityRepository,
  BookRepository,
  decodeBookActivity,
  encodeBookActivity,
  LedgerTable,
  type StoredActivity,
} from '../src';

const AT = '2025-10-06T19:30:00.000Z';
const pending = (id: string): StoredActivity => ({
  activityId: id,
  activityType: 'MA',
  kind: 'merger',
  date: TradingDate('2025-10-06'),
  symbol: 'XYZ',
  amount: '0',
  outcome: 'pending',
  target: 'none',
  books: [],
  reason: 'MA of XYZ carries no terms to map the lots by',
  at: AT,
});

describe('ActivityRepository: the broker activities as ingested', () => {
  let test: TestTable;
  let repo: ActivityRepository;
  beforeEach(async () => {
    test = await createTestTable('activity-repo');
    const table = new LedgerTable(test.client, test.tableName);
    repo = new ActivityRepository(table, new BookRepository(table));
  });
  afterEach(() => test.cleanup());

  it('records an activity once: a second record of its id is already-posted and changes nothing', async () => {
    expect(await repo.record(pending('a1'))).toBe('recorded');
    expect(await repo.record({ ...pending('a1'), reason: 'another' })).toBe('already-posted');
    expect((await repo.get('a1'))?.reason).toBe('MA of XYZ carries no terms to map the lots by');
  });

  it('resolves a pending activity once, with the operator’s note; never one that is not pending', async () => {
    await repo.record(pending('a1'));
    await repo.record({ ...pending('a2'), outcome: 'posted', target: 'pool' });
    expect(await repo.resolve('a1', 'adjusted by hand: books adjust alpha', AT)).toBe(true);
    expect(await repo.resolve('a1', 'again', AT)).toBe(false);
    expect(await repo.resolve('a2', 'posted already', AT)).toBe(false);
    expect(await repo.resolve('nope', 'unknown', AT)).toBe(false);
    expect((await repo.list()).map((a) => `${a.activityId} ${a.outcome} ${a.note ?? ''}`)).toEqual([
      'a1 resolved adjusted by hand: books adjust alpha',
      'a2 posted ',
    ]);
  });

  it('keeps a book posting as decimal strings and reads it back exactly', () => {
    const posting = {
      kind: 'split' as const,
      id: 'a3',
      at: AT,
      symbol: Symbol('TLT'),
      from: '10',
      to: '1',
      keepQty: Quantity.parse('2.000000001'),
      cash: Money.parse('95.10'),
    };
    const item = encodeBookActivity({ strategyId: StrategyId('alpha'), activityId: 'a3', posting });
    expect(item.SK?.S).toBe('ACTIVITY#a3');
    const back = decodeBookActivity(item).posting;
    expect(
      back.kind === 'split' && [back.keepQty.toString(), back.cash.toString(), back.from, back.to],
    ).toEqual(['2.000000001', '95.1', '10', '1']);
  });
});
