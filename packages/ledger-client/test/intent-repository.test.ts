import { ClientOrderId, ConcurrencyError, RunId, StrategyId } from '@books/core';
import { createTestTable, type TestTable } from '@books/testkit';
import { encodeRunStrategy, IntentRepository, LedgerTable, StatusConflictError } from '../src';
import { anIntent, aRunStrategy, RUN } from './support/builders';

describe('IntentRepository on DynamoDB Local', () => {
  let test: TestTable;
  let intents: IntentRepository;
  beforeAll(async () => {
    test = await createTestTable('intents');
    intents = new IntentRepository(new LedgerTable(test.client, test.tableName));
  });
  afterAll(() => test.cleanup());

  it('creates an intent once per client order id', async () => {
    expect(await intents.create(anIntent())).toBe(true);
    expect(await intents.create(anIntent({ state: 'SUBMITTED' }))).toBe(false);
    expect((await intents.get(RUN, anIntent().clientOrderId))?.state).toBe('PENDING');
  });

  it('transitions only from the current state, recording the broker order id', async () => {
    const coid = anIntent().clientOrderId;
    const claimed = await intents.transition(RUN, coid, {
      from: 'PENDING',
      to: 'SUBMITTED',
      at: '2026-11-24T20:31:00Z',
      brokerOrderId: 'alpaca-1',
    });
    expect(claimed).toMatchObject({ state: 'SUBMITTED', brokerOrderId: 'alpaca-1' });
    const duplicate = intents.transition(RUN, coid, {
      from: 'PENDING',
      to: 'SUBMITTED',
      at: '2026-11-24T20:31:01Z',
    });
    await expect(duplicate).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(duplicate).rejects.toBeInstanceOf(StatusConflictError);
    await expect(duplicate).rejects.toMatchObject({ expected: 'PENDING', actual: 'SUBMITTED' });
  });

  it('moves an intent only from the current state without reading it back, as transition does', async () => {
    const runId = RunId('move-2026-11-24');
    const coid = ClientOrderId('sb-momentum-SPY-b0-move');
    await intents.create(anIntent({ runId, clientOrderId: coid }));
    await intents.move(runId, coid, {
      from: 'PENDING',
      to: 'SUBMITTED',
      at: '2026-11-24T20:31:00Z',
      brokerOrderId: 'a-2',
    });
    expect(await intents.get(runId, coid)).toMatchObject({ state: 'SUBMITTED', brokerOrderId: 'a-2' });
    await expect(
      intents.move(runId, coid, { from: 'PENDING', to: 'SUBMITTED', at: '2026-11-24T20:31:01Z' }),
    ).rejects.toMatchObject({ expected: 'PENDING', actual: 'SUBMITTED' });
  });

  it('claims a planned trade once when many deliveries claim it at the same moment', async () => {
    const table = new LedgerTable(test.client, test.tableName);
    const runId = RunId('race-2026-11-24');
    await table.put(encodeRunStrategy(aRunStrategy({ runId, status: 'PLANNED' })));
    const intent = anIntent({ runId, clientOrderId: ClientOrderId('sb-momentum-TLT-b0-race') });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () => intents.createIfPlanned(intent, ['PLANNED'])),
    );
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'exists')).toHaveLength(7);
  });

  it('refuses the intent of a strategy that planned nothing in the run, writing nothing', async () => {
    const intent = anIntent({
      strategyId: StrategyId('nobody'),
      clientOrderId: ClientOrderId('sb-nobody-SPY-b0-x'),
    });
    expect(await intents.createIfPlanned(intent, ['PLANNED'])).toBe('unplanned');
    expect(await intents.get(RUN, intent.clientOrderId)).toBeUndefined();
  });

  it('lists the intents of a run', async () => {
    expect((await intents.listForRun(RUN)).map((i) => i.clientOrderId)).toEqual([anIntent().clientOrderId]);
  });
});
