import {
  eventIds,
  ReconciliationBreakSchema,
  reconciliationBreakEvent,
  runCompletedEvent,
  StageEventSchema,
  TradeExecutedSchema,
  tradeExecutedEvent,
} from '../src';

const origin = { stage: 'local', occurredAt: '2024-03-15T19:30:05.000Z' };
const fill = {
  strategyId: 'momentum',
  runId: 'local-2024-03-15',
  clientOrderId: 'local-2024-03-15.momentum.SPY.buy.0',
  orderId: 'order-1',
  symbol: 'SPY',
  side: 'buy' as const,
  quantity: '12.5',
  price: '512.25',
  fees: '0',
  finalState: 'FILLED' as const,
  filledAt: '2024-03-15T19:30:05.000Z',
};

describe('the stage events', () => {
  it('gives a TradeExecuted the id of its client order, so every republication is one event', () => {
    const first = tradeExecutedEvent(origin, fill);
    const again = tradeExecutedEvent({ ...origin, occurredAt: '2024-03-15T19:31:00.000Z' }, fill);
    expect(first.id).toBe(`TradeExecuted:${fill.clientOrderId}`);
    expect(again.id).toBe(first.id);
  });

  it('round-trips a TradeExecuted through JSON with its decimals as strings', () => {
    const event = tradeExecutedEvent(origin, fill);
    const json = JSON.parse(JSON.stringify(event));
    expect(json.detail.quantity).toBe('12.5');
    expect(json.detail.price).toBe('512.25');
    const parsed = StageEventSchema.parse(json);
    expect(parsed.type).toBe('TradeExecuted');
    if (parsed.type !== 'TradeExecuted') throw new Error('unreachable');
    expect(parsed.detail.price.toString()).toBe('512.25');
    expect(parsed.detail.quantity.toString()).toBe('12.5');
  });

  it.each([
    ['a JSON number for a price', { price: 512.25 }],
    ['a negative quantity', { quantity: '-1' }],
    ['an unknown side', { side: 'short' }],
    ['an open final state', { finalState: 'SUBMITTED' }],
    ['an instant without a zone', { filledAt: '2024-03-15T19:30:05' }],
  ])('refuses a TradeExecuted with %s', (_what, patch) => {
    const event = { ...JSON.parse(JSON.stringify(tradeExecutedEvent(origin, fill))) };
    event.detail = { ...event.detail, ...patch };
    expect(TradeExecutedSchema.safeParse(event).success).toBe(false);
  });

  it('refuses an envelope of another version', () => {
    const event = {
      ...JSON.parse(JSON.stringify(runCompletedEvent(origin, { runId: 'r1', tradingDate: '2024-03-15' }))),
    };
    expect(StageEventSchema.safeParse({ ...event, version: 2 }).success).toBe(false);
  });

  it('gives a RunCompleted the id of its run', () => {
    expect(runCompletedEvent(origin, { runId: 'local-2024-03-15', tradingDate: '2024-03-15' }).id).toBe(
      'RunCompleted:local-2024-03-15',
    );
  });

  it('gives a break the id of its day, subject and status: found again the same day, it is the same event', () => {
    const drift = { tradingDate: '2024-03-15', subject: 'SPY', status: 'DRIFT', unexplained: '-2' };
    const first = reconciliationBreakEvent(origin, { ...drift, trigger: 'run-complete' });
    const later = reconciliationBreakEvent({ ...origin, occurredAt: '2024-03-15T20:15:00.000Z' }, drift);
    expect(first.id).toBe('ReconciliationBreak:2024-03-15:SPY:DRIFT');
    expect(later.id).toBe(first.id);
    expect(reconciliationBreakEvent(origin, { ...drift, status: 'PHANTOM' }).id).not.toBe(first.id);
    expect(reconciliationBreakEvent(origin, { ...drift, tradingDate: '2024-03-18' }).id).not.toBe(first.id);
    expect(eventIds.reconciliationBreak({ ...drift, subject: 'CASH' })).toBe(
      'ReconciliationBreak:2024-03-15:CASH:DRIFT',
    );
  });

  it('refuses a break whose unexplained amount is not a decimal string', () => {
    const event = JSON.parse(
      JSON.stringify(
        reconciliationBreakEvent(origin, {
          tradingDate: '2024-03-15',
          subject: 'SPY',
          status: 'DRIFT',
          unexplained: '1',
        }),
      ),
    );
    expect(
      ReconciliationBreakSchema.safeParse({ ...event, detail: { ...event.detail, unexplained: 'one' } })
        .success,
    ).toBe(false);
  });

  it('builds nothing invalid: a builder throws on a detail its schema refuses', () => {
    expect(() => tradeExecutedEvent(origin, { ...fill, symbol: '' })).toThrow();
  });
});
