import { marketTimeToInstant } from '@books/core';
import * as z from 'zod';
import { loadStateMachine } from '../../src/daily-run/definition';
import { runStateMachine } from '../../src/daily-run/state-machine-runner';
import { STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES, StatePayloadMeter } from '../../src/daily-run/state-payloads';
import { writeLoadFixture } from '../load/load-fixture';
import { openLoadWorld } from '../load/open-load-world';

const STRATEGIES = 200;
/**
 * 48 KiB, under a fifth of Step Functions' limit (measured: 38.4 KB): the run-wide fields travel
 * once ($.plan.run), each Map item and each collected outcome only what differs per strategy.
 */
const BUDGET_BYTES = 48 * 1024;

/** What the Finish task receives: the whole run's state. */
const FinishInputSchema = z.object({
  plan: z.object({ run: z.object({ runId: z.string() }).loose(), items: z.array(z.object({}).loose()) }),
  outcomes: z.array(z.object({ strategyId: z.string() }).loose()),
});

describe('DailyRun’s state at 200 strategies', () => {
  jest.setTimeout(240_000);

  it('keeps every state’s input and output (the Map’s collected outcomes too) under 48 KiB, the run-wide fields carried once', async () => {
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
    if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
    const fixture = writeLoadFixture({ strategies: STRATEGIES, symbols: 60, days: 30 });
    const world = await openLoadWorld({ dynamodb, sqs }, fixture, 'statesize');
    const stage = world.services.env.BOOKS_STAGE;
    world.clock.set(marketTimeToInstant(fixture.runDay, '15:30'));

    const meter = new StatePayloadMeter();
    const { coordinator, strategyWorker, legacy } = world.functions;
    let finishInput: unknown;
    await runStateMachine(
      loadStateMachine('dailyRun', stage),
      { coordinator, strategyWorker, legacy },
      { tradingDate: fixture.runDay },
      `local:${stage}:${fixture.runDay}`,
      {
        onEvent: (event) => {
          meter.onEvent(event);
          if (event.type === 'StateEntered' && event.state.name === 'Finish') finishInput = event.state.input;
        },
      },
    );
    const final = FinishInputSchema.parse(finishInput);

    // The run is the real one: every strategy planned and its outcome collected by the Map.
    expect(final.plan.items).toHaveLength(STRATEGIES);
    // Each item holds only its strategy's own fields; the run's are in the plan once.
    for (const item of final.plan.items) expect(item).not.toHaveProperty('accountEquity');
    expect(final.plan.run.runId).toBe(`${stage}-${fixture.runDay}`);
    expect(new Set(final.outcomes.map((o) => o.strategyId))).toEqual(new Set(fixture.strategyIds));
    const sizes = meter.sizes();
    const largest = meter.max();
    process.stdout.write(
      `DailyRun state at ${STRATEGIES} strategies: largest ${largest.bytes} bytes (${largest.where}), ` +
        `${((100 * largest.bytes) / STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES).toFixed(1)}% of the limit; ` +
        sizes
          .slice(0, 6)
          .map((s) => `${s.where} ${s.bytes}`)
          .join(', ') +
        '\n',
    );
    // The Map's output (its collected outcomes) and the Finish task's input are among those measured.
    expect(sizes.map((s) => s.where)).toEqual(
      expect.arrayContaining(['Strategies output', 'Finish input', 'Worker output', 'execution output']),
    );
    expect(largest.bytes).toBeGreaterThan(STRATEGIES * 20);
    expect(largest.bytes).toBeLessThan(BUDGET_BYTES);
  });
});
