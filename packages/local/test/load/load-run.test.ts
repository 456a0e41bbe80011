import { runIdOf } from '@books/core';
import { loadRunCompleteness } from '@books/operator';
import { reconcilerFunction } from '@books/reconciler';
import { writeLoadFixture } from './load-fixture';
import { openLoadWorld } from './open-load-world';

describe('a daily run at load on the embedded stack', () => {
  jest.setTimeout(240_000);

  it('runs 120 strategies over 150 symbols: every strategy planned, every trade final, the books reconcile', async () => {
    const dynamodb = process.env.BOOKS_TEST_DYNAMODB_ENDPOINT;
    const sqs = process.env.BOOKS_TEST_SQS_ENDPOINT;
    if (!dynamodb || !sqs) throw new Error('the embedded test stack is not running');
    const fixture = writeLoadFixture({ strategies: 120, symbols: 150 });
    const world = await openLoadWorld({ dynamodb, sqs }, fixture, 'load120');

    const result = await world.runDay(fixture.runDay);
    expect(result.drain.failed).toBe(0);
    expect(result.drain.delivered).toBeGreaterThan(120);

    const runId = runIdOf(world.services.env.BOOKS_STAGE, fixture.runDay);
    const completeness = await loadRunCompleteness(world.services, runId, world.clock.now());
    expect(completeness?.strategies).toHaveLength(120);
    expect(completeness?.missing).toEqual([]);
    expect(completeness?.status).toBe('COMPLETE');
    expect(completeness?.strategies.filter((s) => s.status !== 'TRADED')).toEqual([]);
    const trades = completeness?.strategies.flatMap((s) => s.trades) ?? [];
    expect(trades.filter((t) => !t.final)).toEqual([]);
    expect(new Set(trades.map((t) => t.state))).toEqual(new Set(['FILLED']));

    const recon = await reconcilerFunction(world.services)({ date: fixture.runDay });
    expect(recon).toMatchObject({ ok: true, breaks: [], external: [], cash: { status: 'MATCH' } });
    const stored = await world.services.recon.latest(fixture.runDay);
    expect(stored?.entries.length).toBeGreaterThan(100);
    expect(stored?.entries.filter((e) => e.status !== 'MATCH')).toEqual([]);
  });
});
