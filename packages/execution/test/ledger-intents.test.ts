import { ClientOrderId, ManualClock, Quantity, RunId, StrategyId, Symbol } from '@books/core';
import { encodeRunStrategy, IntentRepository, LedgerTable } from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { LedgerIntentStore, UnplannedTradeError } from '../src/adapters/ledger-intents';

describe('claiming a planned trade’s intent on DynamoDB Local', () => {
  let test: TestTable;
  let table: LedgerTable;
  let repository: IntentRepository;
  const clock = new ManualClock('2024-03-15T19:30:00.000Z');
  const runId = RunId('claim-2024-03-15');
  const strategyId = StrategyId('momentum');
  const trade = (coid: string) => ({
    clientOrderId: ClientOrderId(coid),
    runId,
    strategyId,
    symbol: Symbol('SPY'),
    side: 'buy' as const,
    leg: 0,
    qty: Quantity.parse('2.50'),
  });

  beforeAll(async () => {
    test = await createTestTable('claims');
    table = new LedgerTable(test.client, test.tableName);
    repository = new IntentRepository(table);
    await table.put(
      encodeRunStrategy({
        runId,
        strategyId,
        flow: 'per-strategy',
        status: 'PLANNED',
        pendingSells: 0,
        heldBuys: [],
        updatedAt: '2024-03-15T19:30:00.000Z',
      }),
    );
  });
  afterAll(() => test.cleanup());

  it('answers a first claim with the intent exactly as the ledger then holds it', async () => {
    const store = new LedgerIntentStore(repository, clock);
    const claimed = await store.claim(trade('sb-momentum-SPY-b0-first'));
    const stored = await repository.get(runId, ClientOrderId('sb-momentum-SPY-b0-first'));
    expect(stored).toBeDefined();
    expect(claimed).toEqual({
      clientOrderId: stored?.clientOrderId,
      runId: stored?.runId,
      strategyId: stored?.strategyId,
      symbol: stored?.symbol,
      side: stored?.side,
      qty: stored?.qty,
      state: 'NEW',
      created: true,
    });
    expect(claimed.qty.toString()).toBe(stored?.qty.toString());
  });

  it('answers a later claim with the intent as it stands, moved on by another delivery', async () => {
    const store = new LedgerIntentStore(repository, clock);
    const coid = ClientOrderId('sb-momentum-SPY-b0-again');
    await store.claim(trade(coid));
    await store.transition(coid, runId, 'NEW', 'SUBMITTED', { brokerOrderId: 'order-1' });
    const again = await store.claim(trade(coid));
    expect(again).toMatchObject({ state: 'SUBMITTED', brokerOrderId: 'order-1' });
    expect(again.created).toBeUndefined();
  });

  it('answers a move out of NEW with the final state another delivery recorded, and refuses any other conflict', async () => {
    const store = new LedgerIntentStore(repository, clock);
    const coid = ClientOrderId('sb-momentum-SPY-b0-twin');
    await store.claim(trade(coid));
    await store.transition(coid, runId, 'NEW', 'SUBMITTED', { brokerOrderId: 'order-1' });
    // Moved to SUBMITTED already: the same move is a noop.
    expect(await store.transition(coid, runId, 'NEW', 'SUBMITTED', { brokerOrderId: 'order-1' })).toBe(
      'noop',
    );
    // SUBMITTED is not what a move out of NEW to CANCELED expects, and is not final: refused.
    await expect(store.transition(coid, runId, 'NEW', 'CANCELED')).rejects.toThrow('expected status NEW');
    await store.transition(coid, runId, 'SUBMITTED', 'FILLED');
    expect(await store.transition(coid, runId, 'NEW', 'SUBMITTED', { brokerOrderId: 'order-1' })).toEqual({
      final: 'FILLED',
    });
  });

  it('answers with an intent already recorded even where the planning check would refuse a new one', async () => {
    const store = new LedgerIntentStore(repository, clock);
    // An intent of a strategy the run holds no item for: both conditions of the create fail.
    const orphan = { ...trade('sb-gone-SPY-b0-kept'), strategyId: StrategyId('gone') };
    const at = clock.now().toISOString();
    await repository.create({ ...orphan, state: 'SUBMITTED', createdAt: at, updatedAt: at });
    const claimed = await store.claim(orphan);
    expect(claimed).toMatchObject({ clientOrderId: orphan.clientOrderId, state: 'SUBMITTED' });
    expect(claimed.created).toBeUndefined();
  });

  it('converges on one intent when many deliveries claim it at once, each answered with it', async () => {
    const store = new LedgerIntentStore(repository, clock);
    const claims = await Promise.all(
      Array.from({ length: 6 }, () => store.claim(trade('sb-momentum-SPY-b0-race'))),
    );
    expect(new Set(claims.map((c) => `${c.clientOrderId} ${c.state} ${c.qty}`))).toEqual(
      new Set(['sb-momentum-SPY-b0-race NEW 2.5']),
    );
    expect(claims.filter((c) => c.created === true)).toHaveLength(1);
  });

  it('refuses a trade of a strategy the run did not plan, writing nothing', async () => {
    const store = new LedgerIntentStore(repository, clock);
    const stray = { ...trade('sb-nobody-SPY-b0-x'), strategyId: StrategyId('nobody') };
    await expect(store.claim(stray)).rejects.toThrow(UnplannedTradeError);
    expect(await repository.get(runId, stray.clientOrderId)).toBeUndefined();
  });
});
