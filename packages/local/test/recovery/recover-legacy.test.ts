import { PaperBroker } from '@books/broker';
import { LEGACY, RunId, type TradingDate } from '@books/core';
import { readStoredPlan } from '@books/ledger-client';
import { recoverRun } from '@books/operator';
import { legacyAttributionFields } from '@books/queue';
import { daysFrom } from '../e2e/support';
import { openLegacyWorld, STATIC_STRATEGIES } from '../legacy/support';

describe('books recover of a LEGACY trade', () => {
  jest.setTimeout(300_000);

  it('records the recovered fill with the strategy names and weights its execution request carried', async () => {
    const { world } = await openLegacyWorld('recover-legacy', STATIC_STRATEGIES);
    const broker = world.services.broker;
    if (!(broker instanceof PaperBroker)) throw new Error('the local world trades with the simulated broker');
    const [day] = daysFrom('2024-09-16', 1) as [TradingDate];
    const runId = RunId(`${world.services.env.BOOKS_STAGE}-${day}`);
    broker.faults.inject({ kind: 'delayed-fill', count: 1 });

    await world.runDay(day);
    const intents = (await world.services.runs.listRunItems(runId))?.intents ?? [];
    const [pending, ...others] = intents.filter((i) => i.state === 'SUBMITTED');
    if (!pending) throw new Error('no stuck intent');
    expect(others).toEqual([]);
    expect(pending.strategyId).toBe(LEGACY);
    await broker.settlePending();

    const recovered = await recoverRun(world.services, runId);
    expect(recovered?.intents).toEqual([
      expect.objectContaining({ clientOrderId: pending.clientOrderId, action: 'recorded', now: 'FILLED' }),
    ]);

    // What execution records: the request's strategy_names / strategy_weights, made from the plan.
    const plan = await readStoredPlan(world.services.table, runId, LEGACY);
    const sent = legacyAttributionFields(plan?.attribution, pending.symbol);
    if (!sent) throw new Error('the LEGACY plan has no attribution');
    const weights = Object.entries(sent.strategy_weights)
      .map(([sid, w]) => [sid, w.toString()])
      .sort();
    expect(weights.length).toBeGreaterThan(0);

    const trades = await world.services.trades.listLegacy();
    const trade = trades.find((t) => t.clientOrderId === pending.clientOrderId);
    expect(trade?.strategyNames).toEqual(sent.strategy_names);
    expect(trade?.strategyWeights.map((w) => [w.strategyId, w.weight.toString()])).toEqual(weights);
    // The trades execution recorded in the same run carry their plan's attribution the same way.
    const executed = trades.filter((t) => t.runId === runId && t.clientOrderId !== pending.clientOrderId);
    expect(executed.length).toBeGreaterThan(0);
    for (const t of executed) {
      expect(t.strategyNames).toEqual(legacyAttributionFields(plan?.attribution, t.symbol)?.strategy_names);
    }
  });
});
