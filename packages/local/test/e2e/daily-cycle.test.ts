import { Money } from '@books/core';
import { checkInvariants, daysFrom, ledgerSnapshot, openWorld } from './support';

describe('the daily cycle on the embedded stack and the simulated broker', () => {
  jest.setTimeout(300_000);

  it('runs 20 consecutive trading days of the example strategies and the books explain the broker to the cent', async () => {
    const world = await openWorld('e2e20');
    for (const day of daysFrom('2024-09-16', 20)) {
      const result = await world.runDay(day);
      expect(result.drain.failed).toBe(0);
      expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
    }
    const snapshot = await ledgerSnapshot(world.services);
    const sells = Object.values(snapshot).flatMap((s) =>
      (s as { trades: string[] }).trades.filter((t) => t.includes(' sell ')),
    );
    expect(sells.length).toBeGreaterThan(0);
  });

  it('neither plans nor trades again when the schedule fires twice, and a retried execution only re-sends', async () => {
    const world = await openWorld('e2erepeat');
    const [day] = daysFrom('2024-10-01', 1);
    if (!day) throw new Error('no sample day');
    await world.runDay(day, { executionId: 'schedule-1' });
    const before = await ledgerSnapshot(world.services);

    const second = await world.runDay(day, { executionId: 'schedule-2' });
    expect(second.plan).toMatchObject({
      plan: { proceed: false, reason: expect.stringMatching(/^already planned/) },
    });
    expect(second.drain.delivered).toBe(0);

    const retried = await world.runDay(day, { executionId: 'schedule-1' });
    expect(retried.drain.failed).toBe(0);
    expect(await ledgerSnapshot(world.services)).toEqual(before);
    expect(await checkInvariants(world.services, Money.parse('100000'))).toEqual([]);
  });
});
