import { runExplain } from '@books/cli';
import type { TradingDate } from '@books/core';
import type { QueryContext } from '@books/operator';
import { withTraces } from '@books/replay';
import type { LocalWorld } from '../../src/daily-run/local-world';
import { daysFrom, openWorld, SAMPLE_DAYS, STRATEGY_IDS } from '../e2e/support';

/** `books explain` on a real run: the worker stored each plan's decision trace with it. */
describe('books explain', () => {
  jest.setTimeout(300_000);
  let world: LocalWorld;
  const [day1, day2] = daysFrom('2024-05-01', 2) as [TradingDate, TradingDate];

  beforeAll(async () => {
    world = await openWorld('explain');
    await world.runDay(day1);
  });

  function ctx(): QueryContext {
    return {
      services: world.services,
      stage: world.services.env.BOOKS_STAGE,
      strategyIds: STRATEGY_IDS,
      calendar: SAMPLE_DAYS,
      lastRunDate: day1,
      now: new Date(`${day1}T22:00:00Z`),
    };
  }

  async function run(args: { strategy: string; date?: string; json?: boolean }) {
    let out = '';
    let err = '';
    const code = await runExplain(
      ctx(),
      { json: false, ...args },
      { out: (t) => (out += t), err: (t) => (err += t) },
    );
    return { code, out, err };
  }

  it("prints the latest run's tree of momentum: its if with SPY's values and the branch, and the targets", async () => {
    const r = await run({ strategy: 'momentum' });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^momentum\\.clj as of ${day1}\\n`));
    expect(r.out).toMatch(
      / {2}if {2}momentum\.clj:7:4\n {4}\(current-price "SPY"\) = [\d.]+ > \(moving-average-price "SPY" \{:window 200\}\) = [\d.]+ → (true: then|false: else)\n/,
    );
    expect(r.out).toMatch(/\ntargets: [A-Z]+ /);
  });

  it('--json gives the stored trace document, with the same targets as the plan', async () => {
    const r = await run({ strategy: 'momentum', date: day1, json: true });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.runId).toBe(`${world.services.env.BOOKS_STAGE}-${day1}`);
    expect(doc.truncated).toBe(false);
    expect(doc.trace.nodes[0].kind).toBe('weight-equal');
    const plan = await world.services.table.getItem({ PK: `RUN#${doc.runId}`, SK: 'PLAN#momentum' });
    const weights = JSON.parse(plan?.plan_json?.S ?? '{}').weights;
    expect(doc.trace.outcome.weights).toEqual(weights);
  });

  it('says when the run of a date has no trace of the strategy, and exits 1', async () => {
    const r = await run({ strategy: 'momentum', date: day2 });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/has no trace of momentum/);
  });

  it("gives the report each planned strategy's targets and tree, and leaves a strategy without a trace as it is", async () => {
    const base = { status: 'TRADED', orders: 0, finalOrders: 0, suppressed: 0 };
    const run = await withTraces(world.services, {
      runId: `${world.services.env.BOOKS_STAGE}-${day1}`,
      runStatus: 'DONE',
      completeness: 'COMPLETE',
      strategies: [
        { strategyId: 'momentum', ...base },
        { strategyId: 'never-ran', ...base },
      ],
      missing: [],
    });
    const [momentum, other] = run.strategies;
    expect(momentum?.targets).toMatch(/^[A-Z]+ 0\.5, [A-Z]+ 0\.5$/);
    expect(momentum?.explain).toContain('filter cumulative-return 60, top 2 (asset mode)  momentum.clj:9:6');
    expect(other).toEqual({ strategyId: 'never-ran', ...base });
  });
});
