import { AlpacaRateLimited, InProcessRequestBudget } from '../src';
import { manualTime } from './support/manual-time';

describe('InProcessRequestBudget', () => {
  it('lets a full minute of requests through at once, then paces at the rate', async () => {
    const { clock, sleep, slept } = manualTime('2026-11-27T15:00:00Z');
    const budget = new InProcessRequestBudget(clock, sleep, 200);
    for (let i = 0; i < 200; i++) await budget.take();
    expect(slept).toEqual([]);
    await budget.take();
    expect(slept).toEqual([300]);
  });

  it('refills with time, never above the burst', async () => {
    const { clock, sleep, slept } = manualTime('2026-11-27T15:00:00Z');
    const budget = new InProcessRequestBudget(clock, sleep, 60);
    for (let i = 0; i < 60; i++) await budget.take();
    clock.advance(10 * 60_000);
    for (let i = 0; i < 60; i++) await budget.take();
    expect(slept).toEqual([]);
    await budget.take();
    expect(slept).toEqual([1000]);
  });

  it('stays empty until a broker reset time', async () => {
    const { clock, sleep } = manualTime('2026-11-27T15:00:00Z');
    const budget = new InProcessRequestBudget(clock, sleep, 200);
    budget.exhaustUntil(new Date('2026-11-27T15:00:30Z'));
    await budget.take();
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(Date.parse('2026-11-27T15:00:30Z'));
  });

  it('refuses at once when no request is left within the wait allowed', async () => {
    const { clock, sleep, slept } = manualTime('2026-11-27T15:00:00Z');
    const budget = new InProcessRequestBudget(clock, sleep, 60);
    await budget.exhaustUntil(new Date('2026-11-27T15:00:30Z'));
    await expect(budget.take({ maxWaitMs: 10_000 })).rejects.toBeInstanceOf(AlpacaRateLimited);
    expect(slept).toEqual([]);
  });
});
