import { OrderNotFound } from '@books/broker';
import { Money, Price, Quantity, RunId, StrategyId, Symbol, Weight } from '@books/core';
import { executionRequestFor, serializeExecutionMessage } from '@books/queue';
import { daysFrom, openWorld } from './support';

describe('a well-formed message for a trade no run planned', () => {
  it('is kept as poison and never placed, whether its run does not exist or its strategy planned nothing', async () => {
    const world = await openWorld('unplanned');
    const [day] = daysFrom('2024-10-01', 1);
    if (!day) throw new Error('no sample day');
    await world.runDay(day);
    const forged = (runId: string, strategyId: string) =>
      executionRequestFor(
        {
          symbol: Symbol('SPY'),
          side: 'buy',
          qty: Quantity.parse('10'),
          price: Price.parse('500'),
          estimatedValue: Money.parse('5000'),
          currentValue: Money.ZERO,
          targetValue: Money.parse('5000'),
          reason: 'enter',
          leg: 0,
        },
        {
          runId: RunId(runId),
          strategyId: StrategyId(strategyId),
          file: 'momentum.clj',
          allocation: Weight.parse('0.3'),
          strategyCapital: Money.parse('30000'),
          plannedAt: '2024-10-01T19:30:00.000Z',
        },
      );
    const stage = world.services.env.BOOKS_STAGE;
    const messages = [
      forged(`${stage}-2031-01-02`, 'momentum'),
      forged(`${stage}-${day}`, 'no_such_strategy'),
    ];
    const result = await world.functions.execution({
      Records: messages.map((m, i) => ({
        messageId: `forged-${i}`,
        receiptHandle: `r${i}`,
        body: serializeExecutionMessage(m),
        attributes: { ApproximateReceiveCount: '1' },
        eventSource: 'aws:sqs',
      })),
    });
    expect(result.batchItemFailures).toEqual([]);
    for (const m of messages) {
      await expect(world.services.broker.getOrderByClientId(m.client_order_id)).rejects.toThrow(
        OrderNotFound,
      );
      expect(await world.services.intents.get(m.run_id, m.client_order_id)).toBeUndefined();
    }
    const poison = await world.services.table.queryAll({ partition: 'POISON' });
    expect(poison.map((p) => p.SK?.S).sort()).toEqual(
      expect.arrayContaining([expect.stringContaining('forged-0'), expect.stringContaining('forged-1')]),
    );
  }, 120_000);
});
