import { createLogger } from '@books/core';
import { InProcessEventBus, runCompletedEvent } from '@books/events';
import { AlertStateRepository, LedgerTable } from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { alertNotifier, decideAlert, type Observation, type RenderedMessage, type StoredAlert } from '../src';

const AT = '2024-03-15T20:00:00.000Z';
const failingSince: StoredAlert = { status: 'FAILING', since: '2024-03-14T20:00:00.000Z', detail: 'bad DSL' };
const ok: StoredAlert = { status: 'OK', since: '2024-03-01T20:00:00.000Z', detail: '' };
const observed = (failing: boolean): Observation => ({
  subject: 'strategy:momentum',
  failing,
  detail: failing ? 'bad DSL' : 'PLANNED',
});

describe('decideAlert (one alert per failure episode, one at its end)', () => {
  it.each<[string, StoredAlert | undefined, boolean, string]>([
    ['a first failure ever', undefined, true, 'failure'],
    ['a failure after a recovery', ok, true, 'failure'],
    ['the same episode failing again', failingSince, true, 'none'],
    ['the end of an episode', failingSince, false, 'recovery'],
    ['a success with no history', undefined, false, 'none'],
    ['a success after a success', ok, false, 'none'],
  ])('%s: %s', (_what, stored, failing, kind) => {
    expect(decideAlert(stored, observed(failing), AT).kind).toBe(kind);
  });

  it('starts the FAILING state at the failure, and tells the recovery when the episode began', () => {
    const failure = decideAlert(ok, observed(true), AT);
    expect(failure.kind === 'failure' && failure.next).toEqual({
      status: 'FAILING',
      since: AT,
      detail: 'bad DSL',
    });
    const recovery = decideAlert(failingSince, observed(false), AT);
    expect(recovery.kind === 'recovery' && recovery.previous?.since).toBe(failingSince.since);
  });
});

describe('the alert consumer on DynamoDB Local', () => {
  let test: TestTable;
  let store: AlertStateRepository;
  beforeAll(async () => {
    test = await createTestTable('alerts');
    store = new AlertStateRepository(new LedgerTable(test.client, test.tableName));
  });
  afterAll(() => test.cleanup());

  it('alerts a failure once over the runs it lasts, then its recovery once, with no secret in any message', async () => {
    const delivered: RenderedMessage[] = [];
    const failingDays = new Set(['2024-03-15', '2024-03-18', '2024-03-19']);
    const bus = new InProcessEventBus();
    const notify = alertNotifier({
      stage: 'test',
      observe: async (date) => [
        {
          subject: 'strategy:momentum',
          failing: failingDays.has(date),
          detail: failingDays.has(date) ? 'broker said 401 for key PKSECRET99' : 'PLANNED',
        },
      ],
      store,
      sink: { deliver: async (m) => void delivered.push(m) },
      secrets: async () => ['PKSECRET99'],
      clock: { now: () => new Date(AT) },
      logger: createLogger({ service: 'test' }, { destination: { write: () => undefined } }),
    });
    bus.subscribe(notify);
    for (const date of ['2024-03-14', '2024-03-15', '2024-03-18', '2024-03-19', '2024-03-20', '2024-03-21'])
      await bus.publish([
        runCompletedEvent({ stage: 'test', occurredAt: AT }, { runId: `test-${date}`, tradingDate: date }),
      ]);
    // A republished RunCompleted (at least once) changes nothing.
    await bus.publish([
      runCompletedEvent(
        { stage: 'test', occurredAt: AT },
        { runId: 'test-2024-03-21', tradingDate: '2024-03-21' },
      ),
    ]);
    expect(bus.targetErrors).toEqual([]);
    expect(delivered.map((m) => `${m.date} ${m.subject}`)).toEqual([
      '2024-03-15 strategy-books test: strategy:momentum is failing',
      '2024-03-20 strategy-books test: strategy:momentum recovered',
    ]);
    for (const m of delivered)
      for (const part of [m.subject, m.text, m.html]) expect(part).not.toContain('PKSECRET99');
    // Each alert is the transition from the state version it read: the key its deliveries are
    // remembered by, the same for a retry of the event, another for the next episode.
    expect(delivered.map((m) => [m.id, m.about])).toEqual([
      ['alert#strategy:momentum#v0#failure', { strategyId: 'momentum' }],
      ['alert#strategy:momentum#v1#recovery', { strategyId: 'momentum' }],
    ]);
    expect((await store.get('strategy:momentum'))?.status).toBe('OK');
  });

  it('writes a state only over the version it read', async () => {
    const first = { subject: 'reconciliation', status: 'FAILING' as const, since: AT, detail: 'DRIFT SPY' };
    expect(await store.replace(undefined, first)).toBe(true);
    expect(await store.replace(undefined, first)).toBe(false);
    const read = await store.get('reconciliation');
    expect(read?.version).toBe(1);
    expect(await store.replace(read, { ...first, status: 'OK' })).toBe(true);
    expect(await store.replace(read, { ...first, status: 'FAILING' })).toBe(false);
    expect((await store.get('reconciliation'))?.status).toBe('OK');
  });
});
