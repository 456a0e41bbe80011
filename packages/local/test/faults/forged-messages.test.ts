import { OrderNotFound } from '@books/broker';
import { type RunId, StrategyId, type TradingDate } from '@books/core';
import { readStoredPlan, type StoredPlan } from '@books/ledger-client';
import type { PlannedTrade } from '@books/portfolio';
import {
  executionRequestFor,
  type StrategyExecutionRequested,
  serializeExecutionMessage,
} from '@books/queue';
import * as z from 'zod';
import { drainQueue } from '../../src/daily-run/queue-poller';
import { STRATEGY_IDS } from '../e2e/support';
import { ACTIVE_DAYS, expectInvariants, openScenario, played, type Scenario } from './harness/scenario';
import { scenarioSeed } from './harness/seeded';

const SEED = scenarioSeed(4242);

function drain(s: Scenario) {
  return drainQueue(
    s.world.services.clients.sqs,
    s.world.executionQueueUrl,
    s.world.functions.execution,
    s.world.services.logger,
    { retryDelaySeconds: 0 },
  );
}

/** A message for `trade` in `plan`'s context, exactly as the worker or the release would send it. */
function messageFor(plan: StoredPlan, trade: PlannedTrade): StrategyExecutionRequested {
  return executionRequestFor(trade, {
    runId: plan.runId,
    strategyId: plan.strategyId,
    file: plan.file,
    allocation: plan.allocation,
    strategyCapital: plan.capital.capital,
    plannedAt: plan.plannedAt,
    ...(plan.attribution ? { attribution: plan.attribution } : {}),
  });
}

/** Delivers `messages` to execution as one SQS batch, ahead of anything on the queue. */
async function deliverFirst(
  s: Scenario,
  messages: readonly { id: string; body: StrategyExecutionRequested }[],
) {
  return s.world.functions.execution({
    Records: messages.map((m) => ({
      messageId: m.id,
      receiptHandle: `r-${m.id}`,
      body: serializeExecutionMessage(m.body),
      attributes: { ApproximateReceiveCount: '1' },
      eventSource: 'aws:sqs',
    })),
  });
}

const PoisonSchema = z.object({ problems: z.object({ L: z.array(z.object({ S: z.string() })) }) });

async function poisonProblems(s: Scenario, messageId: string): Promise<string> {
  const item = await s.world.services.table.getItem({ PK: 'POISON', SK: `MSG#${messageId}` });
  if (!item) return '(not kept as poison)';
  return PoisonSchema.parse(item)
    .problems.L.map((p) => p.S)
    .join('; ');
}

async function plansOf(s: Scenario, runId: RunId): Promise<StoredPlan[]> {
  const plans: StoredPlan[] = [];
  for (const sid of STRATEGY_IDS) {
    const plan = await readStoredPlan(s.world.services.table, runId, sid);
    if (plan) plans.push(plan);
  }
  return plans;
}

async function expectNeverPlaced(s: Scenario, message: StrategyExecutionRequested): Promise<void> {
  await expect(s.world.services.broker.getOrderByClientId(message.client_order_id)).rejects.toThrow(
    OrderNotFound,
  );
}

describe(`fault injection: only what a run planned is placed (seed ${SEED})`, () => {
  jest.setTimeout(120_000);

  it('a copy of a planned BUY with a larger quantity, delivered first, is poison; the planned BUY is placed as planned and no book goes below zero', async () => {
    const s = await openScenario('fault-oversized', SEED);
    const [funding] = ACTIVE_DAYS as [TradingDate];
    await s.world.planDay(funding);
    const runId = played(s, funding);
    const plans = await plansOf(s, runId);
    const buys = plans.flatMap((p) => p.buys.map((b) => ({ plan: p, trade: b })));
    const target = buys[s.random.int(0, buys.length - 1)];
    if (!target) throw new Error('the funding day planned no BUY');
    const factor = s.random.int(3, 5);
    const copy = messageFor(target.plan, { ...target.trade, qty: target.trade.qty.times(factor) });

    const result = await deliverFirst(s, [{ id: 'oversized-copy', body: copy }]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await poisonProblems(s, 'oversized-copy')).toMatch(/quantity: the message says .* the plan /);
    expect(await s.world.services.intents.get(runId, copy.client_order_id)).toBeUndefined();
    await expectNeverPlaced(s, copy);

    await drain(s);
    const order = await s.world.services.broker.getOrderByClientId(copy.client_order_id);
    expect(order.qty?.toString()).toBe(target.trade.qty.toString());
    await expectInvariants(s, `an oversized copy of ${copy.client_order_id} on ${funding}`);
  });

  it("a well-formed SELL for a past run's strategy that the run never planned is poison, and the next day plans and trades as usual", async () => {
    const s = await openScenario('fault-forged', SEED);
    const [funding, next] = ACTIVE_DAYS as [TradingDate, TradingDate];
    await s.world.runDay(funding);
    const pastRun = played(s, funding);
    const [plan] = await plansOf(s, pastRun);
    if (!plan) throw new Error('the funding day planned nothing');
    const held = plan.buys[0];
    if (!held) throw new Error('the funding day bought nothing');
    // A SELL the funding run never planned (it only bought), for a symbol the book holds.
    const forgedSell = messageFor(plan, {
      ...held,
      side: 'sell',
      qty: held.qty,
      reason: 'reduce',
    });
    // A trade of a strategy the run has no plan for.
    const stranger = messageFor({ ...plan, strategyId: StrategyId('no_such_strategy') }, held);

    const result = await deliverFirst(s, [
      { id: 'forged-sell', body: forgedSell },
      { id: 'stranger', body: stranger },
    ]);
    expect(result.batchItemFailures).toEqual([]);
    expect(await poisonProblems(s, 'forged-sell')).toMatch(/is not a trade of run .*'s plan/);
    expect(await poisonProblems(s, 'stranger')).toMatch(/is not a trade of run .*'s plan/);
    await expectNeverPlaced(s, forgedSell);
    expect(await s.world.services.intents.get(pastRun, forgedSell.client_order_id)).toBeUndefined();

    await s.world.runDay(next);
    const nextRun = await s.world.services.runs.getMeta(played(s, next));
    expect(nextRun?.status).toBe('DISPATCHED');
    await expectInvariants(s, `a forged SELL for ${pastRun}, then ${next}`);
  });
});
