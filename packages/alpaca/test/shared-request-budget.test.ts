import { createLogger } from '@books/core';
import {
  AlpacaRateLimited,
  type BudgetWindow,
  type BudgetWindowStore,
  SharedRequestBudget,
  type WindowRefusal,
} from '../src';
import { manualTime } from './support/manual-time';

/** The store's contract in memory: what DynamoDB's conditional write does, one process. */
class MemoryWindows implements BudgetWindowStore {
  readonly windows = new Map<number, { used: number; blockedUntil?: Date }>();

  async take(window: BudgetWindow, limit: number, now: Date): Promise<WindowRefusal | undefined> {
    const w = this.windows.get(window.start.getTime()) ?? { used: 0 };
    if (w.used >= limit || (w.blockedUntil !== undefined && w.blockedUntil > now))
      return { used: w.used, blockedUntil: w.blockedUntil };
    this.windows.set(window.start.getTime(), { ...w, used: w.used + 1 });
    return undefined;
  }

  async block(window: BudgetWindow, until: Date): Promise<void> {
    const w = this.windows.get(window.start.getTime()) ?? { used: 0 };
    if (w.blockedUntil === undefined || w.blockedUntil < until)
      this.windows.set(window.start.getTime(), { ...w, blockedUntil: until });
  }
}

const silent = createLogger({ service: 'test' }, { level: 'silent' });

describe('SharedRequestBudget', () => {
  it('counts up to the limit in a window, then waits for the next window', async () => {
    const { clock, sleep, slept } = manualTime('2026-11-27T15:00:20Z');
    const store = new MemoryWindows();
    const budget = new SharedRequestBudget({ store, perMinute: 3, clock, sleep, logger: silent });
    for (let i = 0; i < 3; i++) await budget.take();
    expect(slept).toEqual([]);
    await budget.take();
    expect(slept).toEqual([40_000]);
    expect(clock.now().toISOString()).toBe('2026-11-27T15:01:00.000Z');
    expect([...store.windows.values()].map((w) => w.used)).toEqual([3, 1]);
  });

  it('takes nothing in the last guard of a window: the request is counted in the next one', async () => {
    const { clock, sleep, slept } = manualTime('2026-11-27T15:00:58.500Z');
    const store = new MemoryWindows();
    const budget = new SharedRequestBudget({
      store,
      perMinute: 200,
      clock,
      sleep,
      logger: silent,
      guardMs: 2_000,
    });
    await budget.take();
    expect(slept).toEqual([1_500]);
    expect([...store.windows.keys()].map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-27T15:01:00.000Z',
    ]);
  });

  it('stops every taker until the reset the broker named, across windows', async () => {
    const { clock, sleep } = manualTime('2026-11-27T15:00:50Z');
    const store = new MemoryWindows();
    const one = new SharedRequestBudget({ store, perMinute: 200, clock, sleep, logger: silent });
    const other = new SharedRequestBudget({ store, perMinute: 200, clock, sleep, logger: silent });
    await one.exhaustUntil(new Date('2026-11-27T15:01:10Z'));
    await other.take();
    expect(clock.now().toISOString()).toBe('2026-11-27T15:01:10.000Z');
  });

  it('refuses at once, without waiting, when the wait would be longer than allowed', async () => {
    const { clock, sleep, slept } = manualTime('2026-11-27T15:00:20Z');
    const store = new MemoryWindows();
    const budget = new SharedRequestBudget({ store, perMinute: 1, clock, sleep, logger: silent });
    await budget.take();
    const refused = budget.take({ maxWaitMs: 30_000 });
    await expect(refused).rejects.toBeInstanceOf(AlpacaRateLimited);
    await expect(refused).rejects.toMatchObject({ retryAfter: new Date('2026-11-27T15:01:00Z') });
    expect(slept).toEqual([]);
  });
});
