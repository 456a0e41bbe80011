import { DEFAULT_EXECUTION_LIMITS, recordBudget, recordWorstCaseMs } from '../src/time-budget';

const limits = { lockWaitMs: 10_000, fillWaitMs: 20_000, stepsMs: 15_000, safetyMarginMs: 5_000 };

describe('the time a record may take', () => {
  it.each([
    // remaining, expected lock wait (undefined: not started)
    [120_000, 10_000],
    [50_000, 10_000],
    [45_000, 5_000],
    [40_000, 0],
    [39_999, undefined],
    [0, undefined],
  ])('with %i ms left, waits at most %p ms for the lock and the full fill wait', (remaining, lockWaitMs) => {
    const budget = recordBudget(remaining, limits);
    expect(budget?.lockWaitMs).toBe(lockWaitMs);
    if (budget) {
      expect(budget.fillWaitMs).toBe(limits.fillWaitMs);
      // Whatever it waits, a started record ends at least the margin before the deadline.
      expect(
        budget.lockWaitMs + budget.fillWaitMs + limits.stepsMs + limits.safetyMarginMs,
      ).toBeLessThanOrEqual(remaining);
    }
  });

  it('fits two worst-case records of the defaults in a 120 s invocation, not three', () => {
    const worst = recordWorstCaseMs(DEFAULT_EXECUTION_LIMITS);
    expect(DEFAULT_EXECUTION_LIMITS.safetyMarginMs + 2 * worst).toBeLessThanOrEqual(120_000);
    expect(DEFAULT_EXECUTION_LIMITS.safetyMarginMs + 3 * worst).toBeGreaterThan(120_000);
  });
});
